package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TaskContract;

/** The task contract on the netty-epoll poller. */
class NettyEpollTaskTest extends TaskContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
