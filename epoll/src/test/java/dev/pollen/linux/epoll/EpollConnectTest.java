package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ConnectContract;

/** The connect (Happy Eyeballs, getaddrinfo) contract on the JNA epoll poller. */
class EpollConnectTest extends ConnectContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
