package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The socket-creation decisions for each OS, from its table. Runs everywhere. */
class SocketPlanTest {

    @Test
    void linuxUsesTypeFlagsAndAccept4AndNoFcntl() {
        SocketPlan p = SocketPlan.forOs(OsConstants.LINUX);
        assertEquals(0x800 | 0x80000, p.typeFlags());
        assertTrue(p.useAccept4());
        assertEquals(0x800 | 0x80000, p.acceptFlags());
        assertFalse(p.fcntlAfter());
        assertFalse(p.fcntlAfterAccept());
        assertFalse(p.noSigpipe());
        assertEquals(0x4000, p.sendFlags());
    }

    @Test
    void macosAcceptsThenUsesFcntlAndSetsNoSigpipe() {
        SocketPlan p = SocketPlan.forOs(OsConstants.DARWIN);
        assertEquals(0, p.typeFlags());
        assertFalse(p.useAccept4());
        assertTrue(p.fcntlAfter(), "socket() must be followed by fcntl on macOS");
        assertTrue(p.fcntlAfterAccept(), "accept() must be followed by fcntl on macOS");
        assertTrue(p.noSigpipe());
        assertEquals(0, p.sendFlags());
    }

    @Test
    void freebsdHasAccept4AndTypeFlags() {
        SocketPlan p = SocketPlan.forOs(OsConstants.FREEBSD);
        assertEquals(0x30000000, p.typeFlags());
        assertTrue(p.useAccept4());
        assertFalse(p.fcntlAfter());
        assertTrue(p.noSigpipe());
        assertEquals(0x20000, p.sendFlags());
    }

    @Test
    void variadicFcntlOnlyOnMacosArm64() {
        assertTrue(Fcntl.needsVariadicCall(OsConstants.Os.DARWIN, "aarch64"));
        assertFalse(Fcntl.needsVariadicCall(OsConstants.Os.DARWIN, "x86_64"));
        assertFalse(Fcntl.needsVariadicCall(OsConstants.Os.LINUX, "aarch64"));
        assertFalse(Fcntl.needsVariadicCall(OsConstants.Os.FREEBSD, "aarch64"));
    }
}
