package dev.pollen.linux.epoll;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.spi.Availability;
import java.util.Locale;

/** Makes epoll pollers for tests: fails on Linux if epoll is unavailable, skips elsewhere. */
final class EpollTesting {

    private EpollTesting() {
    }

    static boolean onLinux() {
        return System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    /** Skips (visibly) off Linux; on Linux, epoll must be available. */
    static void requireEpoll() {
        Availability a = new EpollPollerProvider().availability();
        assumeTrue(onLinux(), () -> "epoll tests need Linux: " + a.reason());
        assertTrue(a.available(), () -> "epoll must be available on Linux: " + a.reason());
    }

    static EpollPoller newPoller() {
        requireEpoll();
        return new EpollPoller();
    }
}
