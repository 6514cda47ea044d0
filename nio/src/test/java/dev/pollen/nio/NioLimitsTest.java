package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LimitsContract;

/** The conformance kit's {@link LimitsContract} on the nio poller. */
class NioLimitsTest extends LimitsContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
