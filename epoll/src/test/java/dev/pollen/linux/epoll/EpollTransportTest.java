package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TransportContract;

/** The transport contract on the JNA epoll poller. */
class EpollTransportTest extends TransportContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
