package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.FaultsContract;

/** The conformance kit's {@link FaultsContract} on the netty-epoll poller. */
class NettyEpollFaultsTest extends FaultsContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
