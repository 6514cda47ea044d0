package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.EmfileContract;

/** The conformance kit's {@link EmfileContract} on the nio poller. */
class NioEmfileTest extends EmfileContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
