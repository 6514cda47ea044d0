package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.StreamContract;

/** The conformance kit's {@link StreamContract} on the nio poller. */
class NioStreamTest extends StreamContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
