package dev.pollen.macos.kqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.spi.Poller;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Closing a real kqueue poller frees every descriptor it opened before {@code close()} returns:
 * the kernels do so at {@code close(2)}; libkqueue frees its internal ones (an epoll fd, a pipe
 * end, eventfds) later on its monitoring thread, unless the poller waits for that
 * ({@link JnaKqueue#close}). Skipped where no kqueue library loads, or without /proc.
 */
class KqueueCloseTest {

    @BeforeEach
    void requireKqueue() {
        RealKqueue.assumeAvailable();
    }

    @Test
    void closingThePollerFreesItsDescriptorsBeforeCloseReturns() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd (Linux) to count descriptors");
        RealKqueue.newPoller().close(); // warm up: libkqueue's process-wide descriptors, once
        for (int i = 0; i < 20; i++) {
            long before = count(fds);
            Poller p = RealKqueue.newPoller();
            p.poll(0);
            p.close();
            assertEquals(before, count(fds), "descriptors left open by a closed poller (round "
                    + i + ")");
        }
    }

    private static long count(Path fds) throws IOException {
        try (Stream<Path> s = Files.list(fds)) {
            return s.count();
        }
    }
}
