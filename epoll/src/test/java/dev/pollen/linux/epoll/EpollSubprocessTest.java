package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.SubprocessContract;

/** The subprocess contract on the JNA epoll poller. */
class EpollSubprocessTest extends SubprocessContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
