package dev.pollen.loop;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.EagerTaskContract;
import dev.pollen.testkit.ParkingPoller;

/** Core's own run of {@link EagerTaskContract}, on the socket-less test poller. */
class ParkingEagerTaskTest extends EagerTaskContract {
    @Override
    protected Poller newPoller() {
        return new ParkingPoller();
    }

    @Override
    protected boolean hasSockets() {
        return false;
    }
}
