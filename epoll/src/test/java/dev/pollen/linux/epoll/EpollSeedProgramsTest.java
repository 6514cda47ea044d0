package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.SeedProgramsContract;

/** The seedprograms contract on the JNA epoll poller. */
class EpollSeedProgramsTest extends SeedProgramsContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
