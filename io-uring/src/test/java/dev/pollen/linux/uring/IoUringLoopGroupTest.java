package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LoopGroupContract;

/** The loop group contract on the io_uring poller. */
class IoUringLoopGroupTest extends LoopGroupContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
