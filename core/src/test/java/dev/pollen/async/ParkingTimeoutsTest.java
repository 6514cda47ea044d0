package dev.pollen.async;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ParkingPoller;
import dev.pollen.testkit.TimeoutsContract;

/** Core's own run of {@link TimeoutsContract}, on the socket-less test poller. */
class ParkingTimeoutsTest extends TimeoutsContract {
    @Override
    protected Poller newPoller() {
        return new ParkingPoller();
    }

    @Override
    protected boolean hasSockets() {
        return false;
    }
}
