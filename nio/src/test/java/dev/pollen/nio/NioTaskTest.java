package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TaskContract;

/** The conformance kit's {@link TaskContract} on the nio poller. */
class NioTaskTest extends TaskContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
