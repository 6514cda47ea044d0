package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.StreamContract;

/** The stream contract on the netty-epoll poller. */
class NettyEpollStreamTest extends StreamContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
