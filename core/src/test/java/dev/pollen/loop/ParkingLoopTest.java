package dev.pollen.loop;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LoopContract;
import dev.pollen.testkit.ParkingPoller;

/** Core's own run of the loop contract, on the socket-less test poller. */
class ParkingLoopTest extends LoopContract {
    @Override
    protected Poller newPoller() {
        return new ParkingPoller();
    }

    @Override
    protected boolean hasSockets() {
        return false;
    }
}
