package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LocksContract;

/** The locks contract on the io_uring poller. */
class IoUringLocksTest extends LocksContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
