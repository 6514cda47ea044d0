package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.EmfileContract;

/** The conformance kit's {@link EmfileContract} on the netty-epoll poller. */
class NettyEpollEmfileTest extends EmfileContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
