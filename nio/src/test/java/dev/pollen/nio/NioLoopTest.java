package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LoopContract;

/** The conformance kit's {@link LoopContract} on the nio poller. */
class NioLoopTest extends LoopContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
