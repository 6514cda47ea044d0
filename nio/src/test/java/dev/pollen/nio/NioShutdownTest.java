package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ShutdownContract;

/** The conformance kit's {@link ShutdownContract} on the nio poller. */
class NioShutdownTest extends ShutdownContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
