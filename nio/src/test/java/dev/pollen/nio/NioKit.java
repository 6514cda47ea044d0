package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.KitBackend;
import dev.pollen.testkit.Skip;
import dev.pollen.testkit.SubprocessContract;
import java.util.List;

/**
 * The nio poller under the conformance kit ({@code -Dpollen.kit.backend=nio}): it runs every
 * contract but one subprocess test its children on the JDK fallback cannot run.
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

    /** Children use the JDK fallback here: {@link SubprocessContract#skipOnTheJdkFallback()}. */
    @Override
    public List<Skip> skips() {
        return List.of(SubprocessContract.skipOnTheJdkFallback());
    }

    /** {@code FileChannel.transferTo} to the socket's channel. */
    @Override
    public boolean sendfileZeroCopy() {
        return true;
    }
}
