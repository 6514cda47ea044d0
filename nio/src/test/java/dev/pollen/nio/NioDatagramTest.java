package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.DatagramContract;

/** The conformance kit's {@link DatagramContract} on the nio poller. */
class NioDatagramTest extends DatagramContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
