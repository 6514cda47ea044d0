package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.QueuesContract;

/** The queues contract on the JNA epoll poller. */
class EpollQueuesTest extends QueuesContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
