package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ProxyContract;

/** The proxy contract on the JNA epoll poller. */
class EpollProxyTest extends ProxyContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
