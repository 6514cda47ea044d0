package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.EagerTaskContract;

/** The eager task contract on the JNA epoll poller. */
class EpollEagerTaskTest extends EagerTaskContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
