package dev.pollen.macos.kqueue;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.Availability;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The availability verdict and its reasons, with the library loading faked. */
class KqueueProbeTest {

    private static final Function<String, KqueueSyscalls> NOT_FOUND = lib -> {
        throw new UnsatisfiedLinkError("Unable to load library '" + lib + "':\nlib" + lib
                + ".so: cannot open shared object file: No such file or directory");
    };

    private static Function<String, KqueueSyscalls> working(EmulatedKqueue k) {
        return lib -> k;
    }

    @Test
    void linuxWithoutLibkqueueSaysHowToGetIt() {
        Availability a = KqueueProbe.probe("Linux", "kqueue", 8, NOT_FOUND);
        assertFalse(a.available());
        String r = a.reason();
        assertTrue(r.startsWith("Linux: no kqueue in libc; install libkqueue"), r);
        assertTrue(r.contains("-Dpollen.kqueue.library=kqueue"), r);
        assertTrue(r.contains("-Djna.library.path"), r);
        assertTrue(r.contains("not loadable here: Unable to load library 'kqueue': libkqueue.so: cannot open"),
                "JNA's error, on one line: " + r);
    }

    @Test
    void linuxWithLibcConfiguredSaysThereIsNoKqueueInIt() {
        Availability a = KqueueProbe.probe("Linux", "c", 8, NOT_FOUND);
        assertFalse(a.available());
        assertTrue(a.reason().contains("no kqueue in the C library"), a.reason());
    }

    @Test
    void macOsWithAMissingLibraryNamesTheProperty() {
        Availability a = KqueueProbe.probe("Mac OS X", "c", 8, NOT_FOUND);
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("kqueue library 'c' not loadable here (-Dpollen.kqueue.library)"),
                a.reason());
    }

    @Test
    void aLoadableLibraryWhoseKqueueWorksIsAvailable() {
        EmulatedKqueue k = new EmulatedKqueue(KqueueTarget.LIBKQUEUE);
        Availability a = KqueueProbe.probe("Linux", "kqueue", 8, working(k));
        assertTrue(a.available(), a.reason());
        assertTrue(a.reason().contains("libkqueue"), a.reason());
        assertTrue(a.reason().contains("EVFILT_USER -11"), a.reason());
        assertTrue(k.onlyKq() == null, "the probe closes the kqueue it opened");
        Availability mac = KqueueProbe.probe("Mac OS X", "c", 8, working(new EmulatedKqueue(KqueueTarget.MACOS)));
        assertTrue(mac.available());
        assertTrue(mac.reason().contains("EVFILT_USER -10"), mac.reason());
    }

    @Test
    void aFailingKqueueCallIsUnavailableWithTheErrno() {
        KqueueSyscalls failing = new KqueueSyscalls() {
            @Override
            public int kqueue() {
                return -1;
            }

            @Override
            public int kevent(int kq, KeventArray c, int nc, KeventArray e, int ne, Timespec t) {
                return -1;
            }

            @Override
            public int close(int fd) {
                return 0;
            }

            @Override
            public int lastError() {
                return 24;
            }
        };
        Availability a = KqueueProbe.probe("Linux", "kqueue", 8, lib -> failing);
        assertFalse(a.available());
        assertTrue(a.reason().contains("EMFILE"), a.reason());
    }

    @Test
    void thirtyTwoBitJvmsAndUnknownOsesAreRefusedWithAReason() {
        Availability a = KqueueProbe.probe("Mac OS X", "c", 4, NOT_FOUND);
        assertFalse(a.available());
        assertTrue(a.reason().contains("64-bit"), a.reason());
        Availability w = KqueueProbe.probe("Windows 11", "kqueue", 8, NOT_FOUND);
        assertFalse(w.available());
        assertTrue(w.reason().contains("Windows 11"), w.reason());
    }

    @Test
    void theRealProviderNeverThrowsAndExplainsItself() {
        Availability a = new KqueuePollerProvider().availability();
        assertFalse(a.reason().isBlank());
        if (!a.available()) {
            assertTrue(a.reason().contains("kqueue"), a.reason());
        }
    }
}
