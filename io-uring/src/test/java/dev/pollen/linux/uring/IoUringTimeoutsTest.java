package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TimeoutsContract;

/** The timeouts contract on the io_uring poller. */
class IoUringTimeoutsTest extends TimeoutsContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
