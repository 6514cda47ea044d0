package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.StreamSocket;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The running OS's constants table checked against its kernel: if a number were wrong, these
 * calls would fail or report something else.
 */
@EnabledOnOs(value = {OS.LINUX, OS.MAC, OS.FREEBSD}, disabledReason = "POSIX sockets only")
class KernelAgreesWithTableTest extends LiveSockets {

    private void assertNonBlockingAndCloseOnExec(Object source) {
        OsConstants os = layer.os();
        int fd = ((FdSource) source).fd();
        int fl = Fcntl.fcntl(fd, os.F_GETFL, 0);
        int fdFlags = Fcntl.fcntl(fd, os.F_GETFD, 0);
        assertTrue(fl >= 0 && fdFlags >= 0, "fcntl failed on " + source);
        assertNotEquals(0, fl & os.O_NONBLOCK, source + " must be non-blocking");
        assertNotEquals(0, fdFlags & os.FD_CLOEXEC, source + " must be close-on-exec");
    }

    @Test
    void everyNewSocketIsNonBlockingAndCloseOnExec() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] p = pair(l);
        DatagramSocket d = udp();
        assertNonBlockingAndCloseOnExec(l);
        assertNonBlockingAndCloseOnExec(p[0]);
        assertNonBlockingAndCloseOnExec(p[1]); // accepted: accept4 flags, or accept + fcntl
        assertNonBlockingAndCloseOnExec(d);
    }

    @Test
    void socketTypesAndLevelsMatch() throws Exception {
        OsConstants os = layer.os();
        StreamSocket[] p = pair();
        DatagramSocket d = udp();
        assertEquals(os.SOCK_STREAM, layer.getInt(((FdSource) p[0]).fd(), os.SOL_SOCKET,
                os.SO_TYPE, "SO_TYPE"));
        assertEquals(os.SOCK_DGRAM, layer.getInt(((FdSource) d).fd(), os.SOL_SOCKET,
                os.SO_TYPE, "SO_TYPE"));
    }

    @Test
    void errnoNumbersMatch() throws Exception {
        OsConstants os = layer.os();
        assertEquals(-1, LibC.close(-1));
        assertEquals("EBADF", os.errno.name(LibC.errno()));
        StreamSocket[] p = pair();
        ByteBuffer b = ByteBuffer.allocateDirect(8);
        assertEquals(-1L, LibC.read(((FdSource) p[1]).fd(), DirectAddress.of(b), 8));
        assertEquals("EAGAIN", os.errno.name(LibC.errno()));
        assertEquals(-1, LibC.listen(12345678, 1));
        assertEquals("EBADF", os.errno.name(LibC.errno()));
        DatagramSocket d = udp();
        assertEquals(-1, LibC.listen(((FdSource) d).fd(), 1), "UDP sockets cannot listen");
        assertEquals("EOPNOTSUPP", os.errno.name(LibC.errno()));
    }

    @Test
    void ipv6FamilyIsAccepted() throws Exception {
        java.net.InetSocketAddress v6 = new java.net.InetSocketAddress(
                java.net.InetAddress.getByName("::1"), 0);
        ListenSocket l;
        try {
            l = track(layer.listen(v6, 4, dev.pollen.spi.SocketOptions.none()));
        } catch (java.net.SocketException e) {
            // No IPv6 loopback on this host: the error must still name the family problem.
            assertTrue(e.getMessage().contains("EADDRNOTAVAIL")
                    || e.getMessage().contains("EAFNOSUPPORT"), e.getMessage());
            return;
        }
        StreamSocket[] p = pair(l);
        assertEquals(l.localAddress(), p[0].remoteAddress());
        assertTrue(p[0].localAddress() instanceof java.net.InetSocketAddress a
                && a.getAddress() instanceof java.net.Inet6Address, String.valueOf(p[0].localAddress()));
    }
}
