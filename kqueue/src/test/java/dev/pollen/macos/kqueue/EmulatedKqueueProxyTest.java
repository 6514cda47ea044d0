package dev.pollen.macos.kqueue;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ProxyContract;
import org.junit.jupiter.api.AfterEach;

/**
 * The conformance kit's {@link ProxyContract} on the kqueue poller over the strict libkqueue
 * emulation ({@link EmulatedKqueue}) and real sockets: proves the poller's own logic on any
 * POSIX machine, including where no kqueue library loads.
 */
class EmulatedKqueueProxyTest extends ProxyContract {

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
