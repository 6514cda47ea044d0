package dev.pollen.loop;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.FutureContract;
import dev.pollen.testkit.ParkingPoller;

/** Core's own run of the future contract, on the socket-less test poller. */
class ParkingFutureTest extends FutureContract {
    @Override
    protected Poller newPoller() {
        return new ParkingPoller();
    }

    @Override
    protected boolean hasSockets() {
        return false;
    }
}
