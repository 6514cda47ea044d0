package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TaskGroupContract;

/** The task group contract on the io_uring poller. */
class IoUringTaskGroupTest extends TaskGroupContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
