package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TransportContract;

/** The conformance kit's {@link TransportContract} on the nio poller. */
class NioTransportTest extends TransportContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
