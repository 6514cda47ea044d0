package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.spi.Availability;
import dev.pollen.spi.Poller;

/** Shared test helpers: a poller from the provider, or a visible skip where io_uring is unavailable. */
final class IoUringTesting {

    private static final IoUringPollerProvider PROVIDER = new IoUringPollerProvider();

    private IoUringTesting() {
    }

    /**
     * A new io_uring poller; skips the test (with the reason) where io_uring is unavailable.
     *
     * @return the poller
     */
    static Poller newPoller() {
        Availability a = PROVIDER.availability();
        assumeTrue(a.available(), () -> "io_uring unavailable here: " + a.reason());
        return PROVIDER.create();
    }
}
