package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.StreamContract;

/** The stream contract on the JNA epoll poller. */
class EpollStreamTest extends StreamContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
