package dev.pollen.linux.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.posix.NativeMemory;
import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens and closes 10,000 epoll pollers, each with a registered UDP socket, plus a TCP
 * connection every 10th and a Unix domain connection every 10th, and checks that the process's
 * open descriptors (/proc/self/fd) and the poller's malloc'd memory return to their baseline.
 */
class EpollLeakTest {

    private static final int POLLERS = 10_000;
    private static final InetSocketAddress LOOPBACK_0 =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @TempDir
    Path dir;

    private static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        assertNotNull(fds, "/proc/self/fd is not readable");
        return fds.length;
    }

    private static StreamSocket acceptOne(Poller p, ListenSocket l) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        StreamSocket s;
        while ((s = l.accept()) == null) {
            assertTrue(System.nanoTime() < deadline, "accept stalled");
            p.poll(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return s;
    }

    @Test
    void tenThousandPollersAndTheirSocketsLeaveNoDescriptorOrMemoryBehind() throws Exception {
        EpollTesting.requireEpoll();
        // Warm up once so lazily opened files (JNA's library, class files) are in the baseline.
        runOne(0);
        runOne(5);
        int fdBaseline = openFds();
        long memBaseline = NativeMemory.outstandingBytes();
        for (int i = 0; i < POLLERS; i++) {
            runOne(i);
        }
        assertEquals(memBaseline, NativeMemory.outstandingBytes(), "malloc'd bytes not freed");
        // At most the baseline: a leak only adds descriptors, while one an earlier test in this
        // JVM left to a Cleaner (seen after EpollEventFuzzTest) may close during the loop.
        int fds = openFds();
        assertTrue(fds <= fdBaseline, () -> "file descriptors leaked: " + fdBaseline + " before, "
                + fds + " after");
    }

    private void runOne(int i) throws Exception {
        EpollPoller p = new EpollPoller();
        try {
            DatagramSocket d = p.sockets().openDatagram(LOOPBACK_0, null, SocketOptions.none());
            p.register(d, Poller.READ, ops -> { });
            if (i % 10 == 0) {
                exchange(p, LOOPBACK_0);
            } else if (i % 10 == 5) {
                exchange(p, UnixDomainSocketAddress.of(dir.resolve("l" + i + ".sock")));
            }
            p.poll(0);
            d.close();
        } finally {
            p.close();
        }
    }

    private static void exchange(Poller p, java.net.SocketAddress where) throws Exception {
        try (ListenSocket l = p.sockets().listen(where, 4, SocketOptions.none())) {
            StreamSocket c = p.sockets().connect(l.localAddress(), SocketOptions.none());
            StreamSocket s = acceptOne(p, l);
            p.register(s, Poller.READ, ops -> { });
            // Leave the client registered: closing the poller must not leak it either.
            p.register(c, Poller.WRITE, ops -> { });
            s.write(ByteBuffer.wrap(new byte[] {1}));
            c.close();
            s.close();
        } finally {
            if (where instanceof UnixDomainSocketAddress u) {
                java.nio.file.Files.deleteIfExists(u.getPath());
            }
        }
    }
}
