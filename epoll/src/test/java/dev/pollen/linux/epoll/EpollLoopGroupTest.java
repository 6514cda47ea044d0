package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.LoopGroupContract;

/** The loop-group contract on the JNA epoll poller. */
class EpollLoopGroupTest extends LoopGroupContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
