package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.PipeContract;

/** The pipe contract on the netty-epoll poller. */
class NettyEpollPipeTest extends PipeContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
