package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.FutureContract;

/** The future contract on the JNA epoll poller. */
class EpollFutureTest extends FutureContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
