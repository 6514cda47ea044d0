package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.EagerTaskContract;

/** The eager task contract on the io_uring poller. */
class IoUringEagerTaskTest extends EagerTaskContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
