package dev.pollen.async;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ParkingPoller;
import dev.pollen.testkit.SeedProgramsContract;

/** Core's own run of {@link SeedProgramsContract}, on the socket-less test poller. */
class ParkingSeedTest extends SeedProgramsContract {
    @Override
    protected Poller newPoller() {
        return new ParkingPoller();
    }

    @Override
    protected boolean hasSockets() {
        return false;
    }
}
