package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.PollerContract;

/** The poller contract on the io_uring poller. */
class IoUringPollerTest extends PollerContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }

    /** Another provider (nio), to check that sockets never move between providers. */
    @Override
    protected Poller newPollerOfAnotherProvider() {
        return dev.pollen.spi.Pollers.create("nio");
    }
}
