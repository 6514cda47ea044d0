package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.SeedProgramsContract;

/** The conformance kit's {@link SeedProgramsContract} on the nio poller. */
class NioSeedProgramsTest extends SeedProgramsContract {
    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }
}
