package dev.pollen.async;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ParkingPoller;
import dev.pollen.testkit.QueuesContract;

/** Core's own run of {@link QueuesContract}, on the socket-less test poller. */
class ParkingQueuesTest extends QueuesContract {
    @Override
    protected Poller newPoller() {
        return new ParkingPoller();
    }

    @Override
    protected boolean hasSockets() {
        return false;
    }
}
