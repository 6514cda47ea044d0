package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TimeoutsContract;

/** The timeouts contract on the netty-epoll poller. */
class NettyEpollTimeoutsTest extends TimeoutsContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
