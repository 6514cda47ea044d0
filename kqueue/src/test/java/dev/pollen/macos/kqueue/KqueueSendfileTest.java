package dev.pollen.macos.kqueue;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.SendfileContract;
import org.junit.jupiter.api.BeforeEach;

/**
 * The conformance kit's {@link SendfileContract} on the real kqueue (the OS's, or libkqueue
 * with {@code -Dpollen.kqueue.library=kqueue}); skipped with the reason where none loads.
 */
class KqueueSendfileTest extends SendfileContract {

    @BeforeEach
    void requireKqueue() {
        RealKqueue.assumeAvailable();
    }

    @Override
    protected Poller newPoller() {
        return RealKqueue.newPoller();
    }
}
