package dev.pollen.async;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ParkingPoller;
import dev.pollen.testkit.LocksContract;

/** Core's own run of {@link LocksContract}, on the socket-less test poller. */
class ParkingLocksTest extends LocksContract {
    @Override
    protected Poller newPoller() {
        return new ParkingPoller();
    }

    @Override
    protected boolean hasSockets() {
        return false;
    }
}
