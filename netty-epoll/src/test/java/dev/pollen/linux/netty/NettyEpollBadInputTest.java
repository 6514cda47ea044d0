package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.BadInputContract;

/** The conformance kit's {@link BadInputContract} on the netty-epoll poller. */
class NettyEpollBadInputTest extends BadInputContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
