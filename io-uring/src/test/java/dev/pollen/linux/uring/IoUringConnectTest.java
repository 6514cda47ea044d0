package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ConnectContract;

/** The connect contract on the io_uring poller. */
class IoUringConnectTest extends ConnectContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
