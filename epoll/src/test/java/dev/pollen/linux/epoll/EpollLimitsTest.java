package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LimitsContract;

/** The conformance kit's {@link LimitsContract} on the JNA epoll poller. */
class EpollLimitsTest extends LimitsContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
