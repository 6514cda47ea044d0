package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LoopContract;

/** The loop contract on the netty-epoll poller. */
class NettyEpollLoopTest extends LoopContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
