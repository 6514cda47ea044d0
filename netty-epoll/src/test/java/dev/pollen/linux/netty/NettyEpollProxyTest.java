package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ProxyContract;

/** The proxy contract on the netty-epoll poller. */
class NettyEpollProxyTest extends ProxyContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
