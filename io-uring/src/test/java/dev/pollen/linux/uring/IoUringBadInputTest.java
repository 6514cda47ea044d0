package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.BadInputContract;

/** The bad input contract on the io_uring poller. */
class IoUringBadInputTest extends BadInputContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
