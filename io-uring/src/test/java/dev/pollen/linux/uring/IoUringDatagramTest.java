package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.DatagramContract;

/** The datagram contract on the io_uring poller. */
class IoUringDatagramTest extends DatagramContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
