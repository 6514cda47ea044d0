package dev.pollen.async;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ParkingPoller;
import dev.pollen.testkit.ToolkitContract;

/** Core's own run of {@link ToolkitContract}, on the socket-less test poller. */
class ParkingToolkitTest extends ToolkitContract {
    @Override
    protected Poller newPoller() {
        return new ParkingPoller();
    }

    @Override
    protected boolean hasSockets() {
        return false;
    }
}
