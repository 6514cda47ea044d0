package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TimeoutsContract;

/** The timeouts contract on the JNA epoll poller. */
class EpollTimeoutsTest extends TimeoutsContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
