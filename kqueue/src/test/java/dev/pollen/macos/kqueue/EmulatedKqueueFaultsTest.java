package dev.pollen.macos.kqueue;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.FaultsContract;
import org.junit.jupiter.api.AfterEach;

/**
 * The conformance kit's {@link FaultsContract} on the kqueue poller over the strict libkqueue
 * emulation ({@link EmulatedKqueue}) and real sockets.
 */
class EmulatedKqueueFaultsTest extends FaultsContract {

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
