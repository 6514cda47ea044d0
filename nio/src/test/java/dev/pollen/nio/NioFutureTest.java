package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.FutureContract;

/** The conformance kit's {@link FutureContract} on the nio poller. */
class NioFutureTest extends FutureContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
