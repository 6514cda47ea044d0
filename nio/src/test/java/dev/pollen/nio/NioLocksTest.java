package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LocksContract;

/** The conformance kit's {@link LocksContract} on the nio poller. */
class NioLocksTest extends LocksContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
