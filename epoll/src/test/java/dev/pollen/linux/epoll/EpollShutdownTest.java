package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ShutdownContract;

/** The shutdown contract (signals, serveForever) on the JNA epoll poller. */
class EpollShutdownTest extends ShutdownContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
