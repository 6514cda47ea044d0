package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.FaultsContract;

/** The conformance kit's {@link FaultsContract} on the JNA epoll poller. */
class EpollFaultsTest extends FaultsContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
