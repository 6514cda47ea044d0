package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.SeedProgramsContract;

/** The seedprograms contract on the netty-epoll poller. */
class NettyEpollSeedProgramsTest extends SeedProgramsContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
