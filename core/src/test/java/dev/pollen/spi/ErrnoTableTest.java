package dev.pollen.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The errno tables against the numbers in each OS's headers. Runs everywhere. */
class ErrnoTableTest {

    @Test
    void linuxNumbersMatchAsmGenericErrnoH() {
        ErrnoTable t = ErrnoTable.LINUX;
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
        ErrnoTable t = ErrnoTable.DARWIN;
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
        ErrnoTable t = ErrnoTable.FREEBSD;
        assertEquals(35, t.number("EAGAIN"));
        assertEquals(92, t.number("EPROTO"));
        assertEquals(45, t.number("EOPNOTSUPP"));
        assertEquals(45, t.number("ENOTSUP"));
    }

    @Test
    void aliasesShareANumberAndTheFirstNameIsReported() {
        for (ErrnoTable t : new ErrnoTable[] {ErrnoTable.LINUX, ErrnoTable.DARWIN, ErrnoTable.FREEBSD}) {
            assertEquals(t.number("EAGAIN"), t.number("EWOULDBLOCK"));
            assertEquals("EAGAIN", t.name(t.number("EAGAIN")));
        }
        assertEquals("EOPNOTSUPP", ErrnoTable.LINUX.name(95));
        assertEquals("ENOTSUP", ErrnoTable.DARWIN.name(45));
        assertEquals("EOPNOTSUPP", ErrnoTable.DARWIN.name(102));
    }

    @Test
    void describeGivesNameAndText() {
        assertEquals("ECONNREFUSED (Connection refused)", ErrnoTable.LINUX.describe(111));
        assertEquals("ECONNREFUSED (Connection refused)", ErrnoTable.DARWIN.describe(61));
        assertEquals("EADDRINUSE (Address already in use)", ErrnoTable.FREEBSD.describe(48));
    }

    @Test
    void unknownNumbersAndNamesAreHandled() {
        assertEquals("errno 999", ErrnoTable.LINUX.name(999));
        assertEquals("errno -1", ErrnoTable.LINUX.name(-1));
        assertEquals("unknown error", ErrnoTable.LINUX.text(126));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ErrnoTable.LINUX.number("ENOPE"));
        assertEquals("unknown errno name: ENOPE", e.getMessage());
    }

    @Test
    void everyNameIsDistinctPerNumberExceptKnownAliases() {
        // Two different names on one number would make messages ambiguous, except the aliases.
        for (ErrnoTable t : new ErrnoTable[] {ErrnoTable.LINUX, ErrnoTable.DARWIN, ErrnoTable.FREEBSD}) {
            for (int n = 1; n < 128; n++) {
                String name = t.name(n);
                if (!name.startsWith("errno ")) {
                    assertEquals(n, t.number(name), name);
                }
            }
        }
    }
}
