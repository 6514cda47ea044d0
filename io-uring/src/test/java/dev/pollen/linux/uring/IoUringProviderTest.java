package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.Availability;
import dev.pollen.spi.Poller;
import dev.pollen.spi.PollerProvider;
import dev.pollen.spi.Pollers;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The provider: name, priority, availability and its reasons, discovery through ServiceLoader. */
class IoUringProviderTest {

    @Test
    void availabilityIsComputedOnceAndMatchesTheKernel() {
        IoUringPollerProvider p = new IoUringPollerProvider();
        assertEquals("io_uring", p.name());
        Availability a = p.availability();
        assertSame(a, p.availability(), "the verdict is computed once");
        assertTrue(!a.reason().isBlank() && !a.reason().contains("\n"), "one line: " + a.reason());
        if (IoUringPollerProvider.disabledSysctl() == 2) {
            assertTrue(!a.available() && a.reason().contains("io_uring_disabled=2"), a.reason());
        }
        if (a.available()) {
            assertTrue(a.reason().contains("engine ffm") || a.reason().contains("engine netty")
                    && a.reason().contains("Netty 4.2"), a.reason());
        }
    }

    @Test
    void theEngineIsTheOneAskedForAndTheAvailabilityLineSaysWhich() {
        IoUringPollerProvider p = new IoUringPollerProvider();
        if (!p.availability().available()) {
            return; // the reason is checked above
        }
        String asked = System.getProperty(IoUringPollerProvider.ENGINE_PROPERTY, "auto");
        try (Poller poller = p.create()) {
            String engine = ((IoUringPoller) poller).engine();
            assertTrue(p.availability().reason().contains("engine " + engine), p.availability().reason());
            if (asked.equals("netty")) {
                assertEquals("netty", engine);
            } else if (asked.equals("ffm")) {
                assertEquals("ffm", engine);
            } else if (Runtime.version().feature() < 22) {
                assertEquals("netty", engine, "JDK 21 keeps Netty");
            } else if (engine.equals("netty")) {
                assertTrue(p.availability().reason().contains("auto: "), "auto says why ffm was not used: "
                        + p.availability().reason());
            }
        }
    }

    @Test
    void engineValuesAreParsedAndBadOnesSayWhatToDo() {
        assertEquals(IoUringPollerProvider.Engine.AUTO, IoUringPollerProvider.chooseEngine(null, 25).engine());
        assertEquals(IoUringPollerProvider.Engine.AUTO, IoUringPollerProvider.chooseEngine(" Auto ", 21).engine());
        assertEquals(IoUringPollerProvider.Engine.FFM, IoUringPollerProvider.chooseEngine("ffm", 22).engine());
        assertEquals(IoUringPollerProvider.Engine.NETTY, IoUringPollerProvider.chooseEngine("NETTY", 25).engine());
        String old = IoUringPollerProvider.chooseEngine("ffm", 21).problem();
        assertTrue(old.contains("JDK 22") && old.contains("JDK 21") && !old.contains("\n"), old);
        String bad = IoUringPollerProvider.chooseEngine("liburing", 25).problem();
        assertTrue(bad.contains("'liburing'") && bad.contains("auto, ffm") && bad.contains("netty"), bad);
        String why = IoUringPollerProvider.whyFfmUnavailable(-1, new java.io.UncheckedIOException(
                new IOException("io_uring_setup: ENOSYS")));
        assertTrue(why.contains("ffm") && why.contains("ENOSYS") && why.contains("seccomp"), why);
    }

    @Test
    void autoDoesNotPreferIoUringOverTheEpollPollers() {
        // The decision in docs/pollers-io_uring.md: io_uring measured no cheaper per message.
        IoUringPollerProvider p = new IoUringPollerProvider();
        for (PollerProvider other : Pollers.providers()) {
            if (other.name().equals("epoll") || other.name().equals("netty-epoll")) {
                assertTrue(p.priority() < other.priority(), other.name() + " must rank above io_uring");
            }
        }
        if (Pollers.providers().stream().anyMatch(o -> o.name().equals("epoll") && o.availability().available())) {
            try (Poller auto = Pollers.create("auto")) {
                assertNotEquals("io_uring", auto.name());
            }
        }
    }

    @Test
    void reasonsNameTheCause() {
        assertTrue(IoUringPollerProvider.whyUnavailable(2, null, "amd64").contains("kernel.io_uring_disabled=2"));
        String one = IoUringPollerProvider.whyUnavailable(1, new IOException("EPERM"), "amd64");
        assertTrue(one.contains("unprivileged") && one.contains("EPERM"), one);
        String old = IoUringPollerProvider.whyUnavailable(-1,
                new UnsupportedOperationException("io_uring_setup", new IOException("ENOSYS")), "amd64");
        assertTrue(old.contains("seccomp") && old.contains("ENOSYS"), old);
        assertTrue(IoUringPollerProvider.whyUnavailable(0, new IOException("x"), "aarch64").contains("linux-x86_64 only"));
    }

    @Test
    void isFoundByServiceLoaderAndSelectableByName() {
        PollerProvider found = Pollers.providers().stream()
                .filter(p -> p.name().equals("io_uring")).findFirst()
                .orElseThrow(() -> new AssertionError("io_uring not in " + Pollers.list()));
        assertInstanceOf(IoUringPollerProvider.class, found);
        if (found.availability().available()) {
            try (Poller poller = Pollers.create("io_uring")) {
                assertEquals("io_uring", poller.name());
                assertInstanceOf(IoUringPoller.class, poller);
            }
        }
    }
}
