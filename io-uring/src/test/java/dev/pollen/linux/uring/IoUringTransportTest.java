package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TransportContract;

/** The transport contract on the io_uring poller. */
class IoUringTransportTest extends TransportContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
