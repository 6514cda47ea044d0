package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TimeoutsContract;

/** The conformance kit's {@link TimeoutsContract} on the nio poller. */
class NioTimeoutsTest extends TimeoutsContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
