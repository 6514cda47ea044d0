package dev.pollen.macos.kqueue;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.spi.Availability;
import dev.pollen.spi.Poller;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The real kqueue for the conformance kit ({@link KqueueKit}) and other tests: the provider's
 * verdict, and a skip with its reason where no kqueue library loads (Linux without libkqueue).
 * The skip is visible in the test report ("kqueue library not loadable: ..."); it never passes
 * silently.
 *
 * <p><b>Threading:</b> any thread.
 */
final class RealKqueue {

    private static final KqueuePollerProvider PROVIDER = new KqueuePollerProvider();
    private static final AtomicBoolean TOLD = new AtomicBoolean();

    private RealKqueue() {
    }

    /** Skips the calling test (or class, from a {@code @BeforeAll}) unless kqueue loads. */
    static void assumeAvailable() {
        Availability a = PROVIDER.availability();
        if (!a.available() && TOLD.compareAndSet(false, true)) {
            // Once on the console too, since surefire's summary shows only the skip count.
            System.err.println("[kqueue] real-kqueue conformance tests SKIPPED: kqueue library not "
                    + "loadable: " + a.reason());
        }
        assumeTrue(a.available(), () -> "kqueue library not loadable: " + a.reason());
    }

    /** @return whether a kqueue library loads here */
    static boolean available() {
        return PROVIDER.availability().available();
    }

    /**
     * A real kqueue poller; skips the calling test (with the reason) where none loads.
     *
     * @return a new poller
     */
    static Poller newPoller() {
        assumeAvailable();
        return PROVIDER.create();
    }
}
