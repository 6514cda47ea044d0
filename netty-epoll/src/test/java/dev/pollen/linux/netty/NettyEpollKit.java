package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.spi.Pollers;
import dev.pollen.testkit.KitBackend;
import dev.pollen.testkit.Skip;
import dev.pollen.testkit.SubprocessContract;
import java.util.List;

/**
 * The netty-epoll poller under the conformance kit ({@code -Dpollen.kit.backend=netty-epoll}):
 * it runs every contract but one subprocess test its children on the JDK fallback cannot run;
 * where Netty's epoll cannot load every test skips with the reason.
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
public final class NettyEpollKit implements KitBackend {

    /** Made by the kit, once per test. */
    public NettyEpollKit() {
    }

    @Override
    public String name() {
        return "netty-epoll";
    }

    @Override
    public Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }

    /** The other Linux provider, to check that sockets never move between providers. */
    @Override
    public Poller newPollerOfAnotherProvider() {
        return Pollers.create("epoll");
    }

    /** Children use the JDK fallback here: {@link SubprocessContract#skipOnTheJdkFallback()}. */
    @Override
    public List<Skip> skips() {
        return List.of(SubprocessContract.skipOnTheJdkFallback());
    }

    /** Netty's public {@code Native.splice} and {@code FileDescriptor.pipe}: NettySplicePipe. */
    @Override
    public boolean splices() {
        return true;
    }
}
