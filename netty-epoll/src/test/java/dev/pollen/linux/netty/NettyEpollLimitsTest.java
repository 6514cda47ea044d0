package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LimitsContract;

/** The conformance kit's {@link LimitsContract} on the netty-epoll poller. */
class NettyEpollLimitsTest extends LimitsContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
