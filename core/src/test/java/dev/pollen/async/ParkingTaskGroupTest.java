package dev.pollen.async;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ParkingPoller;
import dev.pollen.testkit.TaskGroupContract;

/** Core's own run of {@link TaskGroupContract}, on the socket-less test poller. */
class ParkingTaskGroupTest extends TaskGroupContract {
    @Override
    protected Poller newPoller() {
        return new ParkingPoller();
    }

    @Override
    protected boolean hasSockets() {
        return false;
    }
}
