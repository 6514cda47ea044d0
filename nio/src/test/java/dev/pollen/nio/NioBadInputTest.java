package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.BadInputContract;

/** The conformance kit's {@link BadInputContract} on the nio poller. */
class NioBadInputTest extends BadInputContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
