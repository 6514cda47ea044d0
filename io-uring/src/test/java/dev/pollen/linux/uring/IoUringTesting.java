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

    /**
     * A new io_uring poller made while the system property {@code name} is {@code value} (the
     * poller reads its settings when it is made); the property is put back afterwards.
     *
     * @param name  the property
     * @param value its value for this poller
     * @return the poller
     */
    static Poller newPoller(String name, String value) {
        String old = System.getProperty(name);
        System.setProperty(name, value);
        try {
            return newPoller();
        } finally {
            if (old == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, old);
            }
        }
    }
}
