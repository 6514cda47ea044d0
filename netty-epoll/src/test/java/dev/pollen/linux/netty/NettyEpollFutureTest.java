package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.FutureContract;

/** The future contract on the netty-epoll poller. */
class NettyEpollFutureTest extends FutureContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
