package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.PollerContract;

/** The conformance kit's {@link PollerContract} on the nio poller. */
class NioPollerTest extends PollerContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
