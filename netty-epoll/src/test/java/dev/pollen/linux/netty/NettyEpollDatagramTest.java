package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.DatagramContract;

/** The datagram contract on the netty-epoll poller. */
class NettyEpollDatagramTest extends DatagramContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
