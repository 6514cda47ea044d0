package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.SubprocessContract;

/** The subprocess contract on the netty-epoll poller (the JDK fallback: no process layer). */
class NettyEpollSubprocessTest extends SubprocessContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
