package dev.pollen.macos.kqueue;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ShutdownContract;
import org.junit.jupiter.api.AfterEach;

/** The shutdown contract (signals, serveForever) on kqueue over the libkqueue emulation. */
class EmulatedKqueueShutdownTest extends ShutdownContract {

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
