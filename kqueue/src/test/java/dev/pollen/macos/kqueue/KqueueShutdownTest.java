package dev.pollen.macos.kqueue;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ShutdownContract;
import org.junit.jupiter.api.BeforeEach;

/** The shutdown contract (signals, serveForever) on the real kqueue; skipped where none loads. */
class KqueueShutdownTest extends ShutdownContract {
    @BeforeEach
    void requireKqueue() {
        RealKqueue.assumeAvailable();
    }

    @Override
    protected Poller newPoller() {
        return RealKqueue.newPoller();
    }
}
