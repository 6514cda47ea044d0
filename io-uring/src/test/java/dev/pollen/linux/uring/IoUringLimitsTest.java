package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LimitsContract;

/** The limits contract on the io_uring poller. */
class IoUringLimitsTest extends LimitsContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
