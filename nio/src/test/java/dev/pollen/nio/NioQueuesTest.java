package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.QueuesContract;

/** The conformance kit's {@link QueuesContract} on the nio poller. */
class NioQueuesTest extends QueuesContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
