package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.SeedProgramsContract;

/** The seed programs contract on the io_uring poller. */
class IoUringSeedProgramsTest extends SeedProgramsContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
