package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.QueuesContract;

/** The queues contract on the netty-epoll poller. */
class NettyEpollQueuesTest extends QueuesContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
