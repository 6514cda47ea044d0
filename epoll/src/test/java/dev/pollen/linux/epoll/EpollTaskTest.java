package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TaskContract;

/** The task contract on the JNA epoll poller. */
class EpollTaskTest extends TaskContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
