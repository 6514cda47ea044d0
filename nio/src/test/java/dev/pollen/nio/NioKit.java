package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.KitBackend;

/**
 * The nio poller under the conformance kit ({@code -Dpollen.kit.backend=nio}): it runs every
 * contract.
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
public final class NioKit implements KitBackend {

    /** Made by the kit, once per test. */
    public NioKit() {
    }

    @Override
    public String name() {
        return "nio";
    }

    @Override
    public Poller newPoller() {
        return new NioPoller();
    }
}
