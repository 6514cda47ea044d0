package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LoopContract;

/** The loop contract on the io_uring poller. */
class IoUringLoopTest extends LoopContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
