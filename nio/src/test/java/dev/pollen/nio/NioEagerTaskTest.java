package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.EagerTaskContract;

/** The conformance kit's {@link EagerTaskContract} on the nio poller. */
class NioEagerTaskTest extends EagerTaskContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
