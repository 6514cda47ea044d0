package dev.pollen.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.Availability;
import dev.pollen.spi.Poller;
import dev.pollen.spi.PollerInfo;
import dev.pollen.spi.Pollers;
import java.nio.channels.spi.SelectorProvider;
import org.junit.jupiter.api.Test;

/** The {@code nio} provider: its identity, availability reason, and discovery. */
class NioPollerProviderTest {

    @Test
    void isAlwaysAvailableWithAReasonNamingTheJdkAndItsSelector() {
        NioPollerProvider p = new NioPollerProvider();
        assertEquals("nio", p.name());
        assertEquals(10, p.priority());
        Availability a = p.availability();
        assertTrue(a.available());
        assertTrue(a.reason().startsWith("java.nio.channels.Selector (JDK " + Runtime.version()),
                a.reason());
        assertTrue(a.reason().contains(SelectorProvider.provider().getClass().getName()),
                a.reason());
    }

    @Test
    void isFoundByServiceLoaderAndCreatesAnNioPoller() {
        PollerInfo info = Pollers.list().stream().filter(i -> i.name().equals("nio")).findFirst()
                .orElseThrow(() -> new AssertionError("nio not listed: " + Pollers.list()));
        assertTrue(info.available());
        assertEquals(10, info.priority());
        try (Poller poller = Pollers.create("nio")) {
            assertInstanceOf(NioPoller.class, poller);
            assertEquals("nio", poller.name());
        }
    }
}
