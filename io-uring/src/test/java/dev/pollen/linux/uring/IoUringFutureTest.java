package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.FutureContract;

/** The future contract on the io_uring poller. */
class IoUringFutureTest extends FutureContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
