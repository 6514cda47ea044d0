package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LoopGroupContract;

/** The conformance kit's {@link LoopGroupContract} on the nio poller. */
class NioLoopGroupTest extends LoopGroupContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
