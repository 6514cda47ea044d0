package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ShutdownContract;

/** The shutdown contract (signals, serveForever) on the netty-epoll poller. */
class NettyEpollShutdownTest extends ShutdownContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
