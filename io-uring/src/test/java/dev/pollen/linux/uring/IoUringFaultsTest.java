package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.FaultsContract;

/** The faults contract on the io_uring poller. */
class IoUringFaultsTest extends FaultsContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
