package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.FaultsContract;

/** The conformance kit's {@link FaultsContract} on the nio poller. */
class NioFaultsTest extends FaultsContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
