package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LoopGroupContract;

/** The loopgroup contract on the netty-epoll poller. */
class NettyEpollLoopGroupTest extends LoopGroupContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
