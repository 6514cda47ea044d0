package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LocksContract;

/** The locks contract on the netty-epoll poller. */
class NettyEpollLocksTest extends LocksContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
