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
        return newPoller(java.util.Map.of(name, value));
    }

    /**
     * A new io_uring poller made while the given system properties have the given values; they
     * are put back afterwards.
     *
     * @param properties names and values
     * @return the poller
     */
    static Poller newPoller(java.util.Map<String, String> properties) {
        java.util.Map<String, String> old = new java.util.HashMap<>();
        properties.forEach((k, v) -> old.put(k, System.setProperty(k, v)));
        try {
            return newPoller();
        } finally {
            old.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }
}
