package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TaskGroupContract;

/** The taskgroup contract on the netty-epoll poller. */
class NettyEpollTaskGroupTest extends TaskGroupContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
