package dev.pollen.linux.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.posix.NativeBinding;
import dev.pollen.spi.Availability;
import dev.pollen.spi.Poller;
import dev.pollen.spi.PollerInfo;
import dev.pollen.spi.Pollers;
import org.junit.jupiter.api.Test;

/** The provider's probe, its reasons, and discovery through ServiceLoader. */
class EpollPollerProviderTest {

    @Test
    void notLinuxIsUnavailableWithoutTouchingNativeCode() {
        Availability a = EpollPollerProvider.probe("Mac OS X", "aarch64");
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("not Linux"), a.reason());
        assertTrue(a.reason().contains("Mac OS X"), a.reason());
    }

    @Test
    void unknownArchitectureIsUnavailableByName() {
        Availability a = EpollPollerProvider.probe("Linux", "riscv64");
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("wrong architecture: riscv64"), a.reason());
    }

    @Test
    void epollEventLayoutIsPackedOnX86AndAlignedOnArm() {
        assertEquals(new EpollEventLayout(12, 4), EpollEventLayout.forArch("amd64"));
        assertEquals(new EpollEventLayout(12, 4), EpollEventLayout.forArch("x86_64"));
        assertEquals(new EpollEventLayout(16, 8), EpollEventLayout.forArch("aarch64"));
        assertEquals(null, EpollEventLayout.forArch("s390x"));
    }

    @Test
    void availableHereAndFoundByServiceLoader() {
        EpollTesting.requireEpoll();
        EpollPollerProvider p = new EpollPollerProvider();
        assertEquals("epoll", p.name());
        assertEquals(90, p.priority());
        String binding = NativeBinding.kind() == NativeBinding.Kind.FFM
                ? "epoll through java.lang.foreign (JDK " : "epoll through JNA ";
        assertTrue(p.availability().reason().contains(binding), p.availability().reason());
        PollerInfo info = Pollers.list().stream().filter(i -> i.name().equals("epoll")).findFirst()
                .orElseThrow(() -> new AssertionError("epoll not listed: " + Pollers.list()));
        assertTrue(info.available(), info.toString());
        try (Poller poller = Pollers.create("epoll")) {
            assertInstanceOf(EpollPoller.class, poller);
            assertEquals("epoll", poller.name());
        }
    }
}
