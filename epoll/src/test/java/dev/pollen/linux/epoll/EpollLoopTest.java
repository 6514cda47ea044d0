package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LoopContract;

/** The loop contract on the JNA epoll poller. */
class EpollLoopTest extends LoopContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
