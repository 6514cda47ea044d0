package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ConnectContract;

/** The conformance kit's {@link ConnectContract} on the nio poller. */
class NioConnectTest extends ConnectContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
