package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TransportContract;

/** The transport contract on the netty-epoll poller. */
class NettyEpollTransportTest extends TransportContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
