package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.QueuesContract;

/** The queues contract on the io_uring poller. */
class IoUringQueuesTest extends QueuesContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
