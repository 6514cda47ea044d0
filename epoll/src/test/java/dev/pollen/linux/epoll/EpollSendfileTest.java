package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.SendfileContract;

/** The sendfile contract on the JNA epoll poller. */
class EpollSendfileTest extends SendfileContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
