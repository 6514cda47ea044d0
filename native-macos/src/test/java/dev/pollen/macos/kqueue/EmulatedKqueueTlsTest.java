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

    @AfterEach
    void noLibkqueueViolations() {
        emulated.assertNoViolations();
    }
}
