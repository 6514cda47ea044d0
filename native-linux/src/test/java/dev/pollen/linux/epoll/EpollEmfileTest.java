package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.EmfileContract;

/** The conformance kit's {@link EmfileContract} on the JNA epoll poller. */
class EpollEmfileTest extends EmfileContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
