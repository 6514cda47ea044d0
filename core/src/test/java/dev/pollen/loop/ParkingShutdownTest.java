package dev.pollen.loop;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ParkingPoller;
import dev.pollen.testkit.ShutdownContract;

/** Core's own run of {@link ShutdownContract}: the signal cases, on the socket-less test poller. */
class ParkingShutdownTest extends ShutdownContract {
    @Override
    protected Poller newPoller() {
        return new ParkingPoller();
    }

    @Override
    protected boolean hasSockets() {
        return false;
    }
}
