package dev.pollen.loop;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ParkingPoller;
import dev.pollen.testkit.TaskContract;

/** Core's own run of the task contract, on the socket-less test poller. */
class ParkingTaskTest extends TaskContract {
    @Override
    protected Poller newPoller() {
        return new ParkingPoller();
    }

    @Override
    protected boolean hasSockets() {
        return false;
    }
}
