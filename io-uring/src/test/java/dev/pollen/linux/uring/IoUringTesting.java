package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.spi.Availability;
import dev.pollen.spi.Poller;

/** Shared test helpers: a poller from the provider, or a visible skip where io_uring is unavailable. */
final class IoUringTesting {

    private static final IoUringPollerProvider PROVIDER = new IoUringPollerProvider();

    /** Opt-in for the conformance runs while the known native crash stands (see {@link #newPoller}). */
    static final String OPT_IN = "pollen.iouring.tests";

    private IoUringTesting() {
    }

    /**
     * A new io_uring poller; skips the test (with the reason) unless opted in, or where io_uring
     * is unavailable.
     *
     * @return the poller
     */
    static Poller newPoller() {
        assumeTrue(Boolean.getBoolean(OPT_IN), () -> "io_uring conformance runs only with"
                + " -Dpollen.test.flags=-D" + OPT_IN + "=true: a test JVM running it aborts with glibc"
                + " heap corruption in about half the runs, not yet explained (docs/pollers-io_uring.md,"
                + " Known problem)");
        Availability a = PROVIDER.availability();
        assumeTrue(a.available(), () -> "io_uring unavailable here: " + a.reason());
        return PROVIDER.create();
    }
}
