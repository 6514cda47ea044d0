package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.StreamContract;

/** The stream contract on the io_uring poller. */
class IoUringStreamTest extends StreamContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
