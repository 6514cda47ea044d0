package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ConnectContract;

/** The connect (Happy Eyeballs, getaddrinfo) contract on the netty-epoll poller. */
class NettyEpollConnectTest extends ConnectContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
