package dev.pollen.linux.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.Availability;
import dev.pollen.spi.Poller;
import dev.pollen.spi.PollerProvider;
import dev.pollen.spi.Pollers;
import org.junit.jupiter.api.Test;

/** The provider: its name, priority, availability probe, and discovery through ServiceLoader. */
class NettyEpollProviderTest {

    @Test
    void isAvailableOnLinuxX8664WithAReason() {
        NettyEpollPollerProvider p = new NettyEpollPollerProvider();
        assertEquals("netty-epoll", p.name());
        assertEquals(100, p.priority());
        Availability a = p.availability();
        assertSame(a, p.availability(), "the verdict is computed once");
        if (System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertTrue(a.available(), a.reason());
            assertTrue(a.reason().contains("Netty 4.2"), a.reason());
        }
    }

    @Test
    void isFoundByServiceLoaderAndSelectableByName() {
        PollerProvider found = Pollers.providers().stream()
                .filter(p -> p.name().equals("netty-epoll")).findFirst()
                .orElseThrow(() -> new AssertionError("netty-epoll not in " + Pollers.list()));
        assertInstanceOf(NettyEpollPollerProvider.class, found);
        if (found.availability().available()) {
            try (Poller poller = Pollers.create("netty-epoll")) {
                assertEquals("netty-epoll", poller.name());
                assertInstanceOf(NettyEpollPoller.class, poller);
            }
        }
    }
}
