package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.PollerContract;

/** The poller contract on the JNA epoll poller. */
class EpollPollerTest extends PollerContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
