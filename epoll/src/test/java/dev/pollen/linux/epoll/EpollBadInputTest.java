package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.BadInputContract;

/** The conformance kit's {@link BadInputContract} on the JNA epoll poller. */
class EpollBadInputTest extends BadInputContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
