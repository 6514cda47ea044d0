package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.PipeContract;

/** The pipe contract on the io_uring poller. */
class IoUringPipeTest extends PipeContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
