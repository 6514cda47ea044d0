package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TaskGroupContract;

/** The conformance kit's {@link TaskGroupContract} on the nio poller. */
class NioTaskGroupTest extends TaskGroupContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
