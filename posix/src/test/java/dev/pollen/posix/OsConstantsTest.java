package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-OS constant tables against the values in the OS headers. Runs everywhere. */
class OsConstantsTest {

    @Test
    void osNamesSelectTheirTable() {
        assertSame(OsConstants.LINUX, OsConstants.forOsName("Linux"));
        assertSame(OsConstants.DARWIN, OsConstants.forOsName("Mac OS X"));
        assertSame(OsConstants.DARWIN, OsConstants.forOsName("Darwin"));
        assertSame(OsConstants.FREEBSD, OsConstants.forOsName("FreeBSD"));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> OsConstants.forOsName("Windows 11"));
        assertTrue(e.getMessage().contains("Windows 11"), e.getMessage());
    }

    @Test
    void addressFamiliesDifferForIpv6Only() {
        assertEquals(10, OsConstants.LINUX.AF_INET6);
        assertEquals(30, OsConstants.DARWIN.AF_INET6);
        assertEquals(28, OsConstants.FREEBSD.AF_INET6);
        for (OsConstants os : new OsConstants[] {OsConstants.LINUX, OsConstants.DARWIN,
                OsConstants.FREEBSD}) {
            assertEquals(1, os.AF_UNIX);
            assertEquals(2, os.AF_INET);
            assertEquals(1, os.SOCK_STREAM);
            assertEquals(2, os.SOCK_DGRAM);
            assertEquals(6, os.IPPROTO_TCP);
            assertEquals(1, os.TCP_NODELAY);
            assertEquals(4, os.F_SETFL);
            assertEquals(1, os.FD_CLOEXEC);
        }
    }

    @Test
    void linuxSocketLevelOptions() {
        OsConstants c = OsConstants.LINUX;
        assertEquals(1, c.SOL_SOCKET);
        assertEquals(2, c.SO_REUSEADDR);
        assertEquals(15, c.SO_REUSEPORT);
        assertEquals(4, c.SO_ERROR);
        assertEquals(8, c.SO_RCVBUF);
        assertEquals(7, c.SO_SNDBUF);
        assertEquals(13, c.SO_LINGER);
        assertEquals(0x800, c.O_NONBLOCK);
        assertEquals(c.O_NONBLOCK, c.SOCK_NONBLOCK, "SOCK_NONBLOCK is O_NONBLOCK on Linux");
        assertEquals(0x80000, c.SOCK_CLOEXEC);
        assertEquals(0x4000, c.MSG_NOSIGNAL);
        assertEquals(-1, c.SO_NOSIGPIPE);
        assertFalse(c.SOCKADDR_HAS_LEN);
        assertEquals(108, c.SUN_PATH_SIZE);
        assertTrue(c.HAS_ACCEPT4);
        assertTrue(c.REUSEPORT_BALANCES);
    }

    @Test
    void bsdSocketLevelOptions() {
        for (OsConstants c : new OsConstants[] {OsConstants.DARWIN, OsConstants.FREEBSD}) {
            assertEquals(0xffff, c.SOL_SOCKET);
            assertEquals(0x4, c.SO_REUSEADDR);
            assertEquals(0x200, c.SO_REUSEPORT);
            assertEquals(0x1007, c.SO_ERROR);
            assertEquals(0x1002, c.SO_RCVBUF);
            assertEquals(0x1001, c.SO_SNDBUF);
            assertEquals(0x4, c.O_NONBLOCK);
            assertTrue(c.SOCKADDR_HAS_LEN);
            assertEquals(104, c.SUN_PATH_SIZE);
            assertFalse(c.REUSEPORT_BALANCES);
        }
        // macOS: SO_LINGER counts ticks, so the table points at SO_LINGER_SEC.
        assertEquals(0x1080, OsConstants.DARWIN.SO_LINGER);
        assertEquals(0x80, OsConstants.FREEBSD.SO_LINGER);
        assertEquals(0x1022, OsConstants.DARWIN.SO_NOSIGPIPE);
        assertEquals(0x800, OsConstants.FREEBSD.SO_NOSIGPIPE);
    }

    @Test
    void macosHasNoAccept4NorSocketTypeFlags() {
        OsConstants c = OsConstants.DARWIN;
        assertFalse(c.HAS_ACCEPT4);
        assertEquals(0, c.SOCK_NONBLOCK);
        assertEquals(0, c.SOCK_CLOEXEC);
        assertEquals(0, c.MSG_NOSIGNAL);
        OsConstants f = OsConstants.FREEBSD;
        assertTrue(f.HAS_ACCEPT4);
        assertEquals(0x20000000, f.SOCK_NONBLOCK);
        assertEquals(0x10000000, f.SOCK_CLOEXEC);
    }

    @Test
    void errnoShortcutsComeFromTheTable() {
        assertEquals(11, OsConstants.LINUX.EAGAIN);
        assertEquals(35, OsConstants.DARWIN.EAGAIN);
        assertEquals(115, OsConstants.LINUX.EINPROGRESS);
        assertEquals(36, OsConstants.FREEBSD.EINPROGRESS);
        assertEquals(OsConstants.DARWIN.errno.number("ECONNABORTED"), OsConstants.DARWIN.ECONNABORTED);
    }
}
