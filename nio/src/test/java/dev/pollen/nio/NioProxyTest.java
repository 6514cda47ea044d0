package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ProxyContract;

/** The conformance kit's {@link ProxyContract} on the nio poller. */
class NioProxyTest extends ProxyContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
