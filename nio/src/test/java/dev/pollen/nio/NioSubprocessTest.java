package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.SubprocessContract;

/** The conformance kit's {@link SubprocessContract} on the nio poller (the JDK fallback). */
class NioSubprocessTest extends SubprocessContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
