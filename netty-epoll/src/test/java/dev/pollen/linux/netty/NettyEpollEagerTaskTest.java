package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.EagerTaskContract;

/** The eager task contract on the netty-epoll poller. */
class NettyEpollEagerTaskTest extends EagerTaskContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
