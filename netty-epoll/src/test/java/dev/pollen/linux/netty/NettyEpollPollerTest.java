package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.PollerContract;

/** The poller contract on the netty-epoll poller. */
class NettyEpollPollerTest extends PollerContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }

    /** The other Linux provider, to check that sockets never move between providers. */
    @Override
    protected Poller newPollerOfAnotherProvider() {
        return dev.pollen.spi.Pollers.create("epoll");
    }
}
