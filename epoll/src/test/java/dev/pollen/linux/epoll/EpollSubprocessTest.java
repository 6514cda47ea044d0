package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.SubprocessContract;

/** The subprocess contract on the JNA epoll poller: thread-free (posix_spawn, pidfd). */
class EpollSubprocessTest extends SubprocessContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }

    @Override
    protected boolean expectsThreadFreeChildren() {
        return true;
    }
}
