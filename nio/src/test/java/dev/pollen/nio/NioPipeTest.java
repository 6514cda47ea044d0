package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.PipeContract;

/** The conformance kit's {@link PipeContract} on the nio poller. */
class NioPipeTest extends PipeContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
