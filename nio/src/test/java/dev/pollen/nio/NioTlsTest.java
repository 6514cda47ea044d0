package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TlsContract;

/** The conformance kit's {@link TlsContract} on the nio poller. */
class NioTlsTest extends TlsContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
