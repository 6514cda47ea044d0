package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.PollerContract;

/** The poller contract on the JNA epoll poller. */
class EpollPollerTest extends PollerContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }

    /** Another provider (nio), to check that sockets never move between providers. */
    @Override
    protected Poller newPollerOfAnotherProvider() {
        return dev.pollen.spi.Pollers.create("nio");
    }
}
