package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.PipeContract;

/** The pipe contract on the JNA epoll poller. */
class EpollPipeTest extends PipeContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
