package dev.pollen.macos.kqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-OS and per-library constant tables, and the library choice. */
class KqueueTargetTest {

    @Test
    void evfiltUserIsMinus10OnMacOsAndMinus11OnFreeBsdAndLibkqueue() {
        assertEquals(-10, KqueueTarget.MACOS.evfiltUser);
        assertEquals(-11, KqueueTarget.FREEBSD.evfiltUser);
        assertEquals(-11, KqueueTarget.LIBKQUEUE.evfiltUser);
    }

    @Test
    void structKeventIs32BytesExceptOnFreeBsdWithItsExtFields() {
        assertEquals(32, KqueueTarget.MACOS.keventSize);
        assertEquals(32, KqueueTarget.LIBKQUEUE.keventSize);
        assertEquals(64, KqueueTarget.FREEBSD.keventSize);
        assertEquals(32, Kevent.BASE_SIZE);
        assertEquals(0, Kevent.IDENT);
        assertEquals(8, Kevent.FILTER);
        assertEquals(10, Kevent.FLAGS);
        assertEquals(12, Kevent.FFLAGS);
        assertEquals(16, Kevent.DATA);
        assertEquals(24, Kevent.UDATA);
    }

    @Test
    void onlyLibkqueueHasTheDeviations() {
        for (KqueueTarget t : new KqueueTarget[] {KqueueTarget.MACOS, KqueueTarget.FREEBSD}) {
            assertFalse(t.addDisabledIsBroken, t.name());
            assertFalse(t.reAddOfLiveFails, t.name());
            assertFalse(t.closeKeepsRegistrations, t.name());
        }
        assertTrue(KqueueTarget.LIBKQUEUE.addDisabledIsBroken);
        assertTrue(KqueueTarget.LIBKQUEUE.reAddOfLiveFails);
        assertTrue(KqueueTarget.LIBKQUEUE.closeKeepsRegistrations);
    }

    @Test
    void theLibraryNameSelectsTheTarget() {
        assertEquals(KqueueTarget.MACOS, KqueueTarget.select("Mac OS X", "c"));
        assertEquals(KqueueTarget.FREEBSD, KqueueTarget.select("FreeBSD", "c"));
        assertEquals(KqueueTarget.LIBKQUEUE, KqueueTarget.select("Linux", "kqueue"));
        assertEquals(KqueueTarget.LIBKQUEUE, KqueueTarget.select("Linux", "/opt/lib/libkqueue.so.0"));
        assertEquals(KqueueTarget.LIBKQUEUE, KqueueTarget.select("Mac OS X", "kqueue"),
                "libkqueue's own numbers apply whatever the OS");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> KqueueTarget.select("Linux", "c"));
        assertTrue(e.getMessage().contains("no kqueue in the C library"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dpollen.kqueue.library=kqueue"), e.getMessage());
    }

    @Test
    void defaultLibraryIsLibcWhereTheKernelHasKqueueAndLibkqueueElsewhere() {
        assertEquals("c", KqueueConfig.libraryName("Mac OS X", null));
        assertEquals("c", KqueueConfig.libraryName("FreeBSD", " "));
        assertEquals("kqueue", KqueueConfig.libraryName("Linux", null));
        assertEquals("mylib", KqueueConfig.libraryName("Linux", " mylib "));
    }

    @Test
    void autoPrefersKqueueOnlyOnMacOsAndTheBsds() {
        assertTrue(KqueueConfig.isKqueueNativeOs("Mac OS X"));
        assertTrue(KqueueConfig.isKqueueNativeOs("FreeBSD"));
        assertTrue(KqueueConfig.isKqueueNativeOs("OpenBSD"));
        assertFalse(KqueueConfig.isKqueueNativeOs("Linux"));
        int expected = KqueueConfig.isKqueueNativeOs(System.getProperty("os.name"))
                ? KqueuePollerProvider.NATIVE_PRIORITY : KqueuePollerProvider.EMULATED_PRIORITY;
        assertEquals(expected, new KqueuePollerProvider().priority());
        assertEquals(100, KqueuePollerProvider.NATIVE_PRIORITY);
        assertEquals(40, KqueuePollerProvider.EMULATED_PRIORITY);
        assertEquals("kqueue", new KqueuePollerProvider().name());
    }
}
