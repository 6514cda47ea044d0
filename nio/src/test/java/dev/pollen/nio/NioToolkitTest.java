package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ToolkitContract;

/** The conformance kit's {@link ToolkitContract} on the nio poller. */
class NioToolkitTest extends ToolkitContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
