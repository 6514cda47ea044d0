package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TaskGroupContract;

/** The taskgroup contract on the JNA epoll poller. */
class EpollTaskGroupTest extends TaskGroupContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
