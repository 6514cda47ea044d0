package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.DatagramContract;

/** The datagram contract on the JNA epoll poller. */
class EpollDatagramTest extends DatagramContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
