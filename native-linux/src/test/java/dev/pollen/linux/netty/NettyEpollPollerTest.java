package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.PollerContract;

/** The poller contract on the netty-epoll poller. */
class NettyEpollPollerTest extends PollerContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
