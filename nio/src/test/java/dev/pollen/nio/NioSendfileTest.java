package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.SendfileContract;

/** The sendfile contract on the nio poller. */
class NioSendfileTest extends SendfileContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
