package dev.pollen.macos.kqueue;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TlsContract;
import org.junit.jupiter.api.AfterEach;

/**
 * The conformance kit's {@link TlsContract} on the kqueue poller over the strict libkqueue
 * emulation ({@link EmulatedKqueue}) and real sockets.
 */
class EmulatedKqueueTlsTest extends TlsContract {

    private final Emulated emulated = new Emulated();

    @Override
    protected Poller newPoller() {
        return emulated.newPoller();
    }

    @Override
    protected String allocationNotMeasurable() {
        return "the libkqueue emulator allocates on every kevent call (about 1.6 KB per echo "
                + "round trip, varying with timing), which hides the TLS layer's own figure; the "
                + "real kqueue runs this test";
    }

    @AfterEach
    void noLibkqueueViolations() {
        emulated.assertNoViolations();
    }
}
