package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The errno tables against the numbers in each OS's headers. Runs everywhere. */
class ErrnoTableTest {

    @Test
    void linuxNumbersMatchAsmGenericErrnoH() {
        ErrnoTable t = OsConstants.LINUX.errno;
        assertEquals(11, t.number("EAGAIN"));
        assertEquals(111, t.number("ECONNREFUSED"));
        assertEquals(98, t.number("EADDRINUSE"));
        assertEquals(115, t.number("EINPROGRESS"));
        assertEquals(104, t.number("ECONNRESET"));
        assertEquals(24, t.number("EMFILE"));
        assertEquals(105, t.number("ENOBUFS"));
        assertEquals(71, t.number("EPROTO"));
    }

    @Test
    void darwinNumbersMatchSysErrnoH() {
        ErrnoTable t = OsConstants.DARWIN.errno;
        assertEquals(35, t.number("EAGAIN"));
        assertEquals(61, t.number("ECONNREFUSED"));
        assertEquals(48, t.number("EADDRINUSE"));
        assertEquals(36, t.number("EINPROGRESS"));
        assertEquals(54, t.number("ECONNRESET"));
        assertEquals(100, t.number("EPROTO"));
        // macOS keeps these two apart; Linux and FreeBSD do not.
        assertEquals(102, t.number("EOPNOTSUPP"));
        assertEquals(45, t.number("ENOTSUP"));
    }

    @Test
    void freebsdDiffersFromDarwinWhereTheHeadersDo() {
        ErrnoTable t = OsConstants.FREEBSD.errno;
        assertEquals(35, t.number("EAGAIN"));
        assertEquals(92, t.number("EPROTO"));
        assertEquals(45, t.number("EOPNOTSUPP"));
        assertEquals(45, t.number("ENOTSUP"));
    }

    @Test
    void aliasesShareANumberAndTheFirstNameIsReported() {
        for (OsConstants os : new OsConstants[] {OsConstants.LINUX, OsConstants.DARWIN,
                OsConstants.FREEBSD}) {
            assertEquals(os.errno.number("EAGAIN"), os.errno.number("EWOULDBLOCK"));
            assertEquals("EAGAIN", os.errno.name(os.EAGAIN));
        }
        assertEquals("EOPNOTSUPP", OsConstants.LINUX.errno.name(95));
        assertEquals("ENOTSUP", OsConstants.DARWIN.errno.name(45));
        assertEquals("EOPNOTSUPP", OsConstants.DARWIN.errno.name(102));
    }

    @Test
    void describeGivesNameAndText() {
        assertEquals("ECONNREFUSED (Connection refused)", OsConstants.LINUX.errno.describe(111));
        assertEquals("ECONNREFUSED (Connection refused)", OsConstants.DARWIN.errno.describe(61));
        assertEquals("EADDRINUSE (Address already in use)", OsConstants.FREEBSD.errno.describe(48));
    }

    @Test
    void unknownNumbersAndNamesAreHandled() {
        assertEquals("errno 999", OsConstants.LINUX.errno.name(999));
        assertEquals("errno -1", OsConstants.LINUX.errno.name(-1));
        assertEquals("unknown error", OsConstants.LINUX.errno.text(126));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OsConstants.LINUX.errno.number("ENOPE"));
        assertEquals("unknown errno name: ENOPE", e.getMessage());
    }

    @Test
    void everyNameIsDistinctPerNumberExceptKnownAliases() {
        // Two different names on one number would make messages ambiguous, except the aliases.
        for (OsConstants os : new OsConstants[] {OsConstants.LINUX, OsConstants.DARWIN,
                OsConstants.FREEBSD}) {
            for (int n = 1; n < 128; n++) {
                String name = os.errno.name(n);
                if (!name.startsWith("errno ")) {
                    assertEquals(n, os.errno.number(name), os + " " + name);
                }
            }
        }
    }
}
