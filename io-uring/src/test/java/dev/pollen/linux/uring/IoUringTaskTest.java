package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TaskContract;

/** The task contract on the io_uring poller. */
class IoUringTaskTest extends TaskContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
