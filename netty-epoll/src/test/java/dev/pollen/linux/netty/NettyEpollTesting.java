package dev.pollen.linux.netty;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.spi.Availability;
import dev.pollen.spi.Poller;

/** Shared test helpers: a poller from the provider, or a visible skip when Netty cannot load. */
final class NettyEpollTesting {

    private static final NettyEpollPollerProvider PROVIDER = new NettyEpollPollerProvider();

    private NettyEpollTesting() {
    }

    /**
     * A new netty-epoll poller; skips the test (with the reason) where Netty's epoll is unavailable.
     *
     * @return the poller
     */
    static Poller newPoller() {
        Availability a = PROVIDER.availability();
        assumeTrue(a.available(), () -> "netty-epoll unavailable here: " + a.reason());
        return PROVIDER.create();
    }
}
