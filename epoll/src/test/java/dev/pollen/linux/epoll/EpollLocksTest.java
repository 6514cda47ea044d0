package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LocksContract;

/** The locks contract on the JNA epoll poller. */
class EpollLocksTest extends LocksContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
