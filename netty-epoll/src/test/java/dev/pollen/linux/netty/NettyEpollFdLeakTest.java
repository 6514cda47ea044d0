package dev.pollen.linux.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Pollers;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No descriptor or native-memory leak: 10,000 pollers, each with a listener, a connected pair and
 * a UDP socket that are registered, polled (with heap and direct I/O) and closed, leave the
 * process's {@code /proc/self/fd} count where it was, and its resident memory nearly so.
 *
 * <p>Netty's native memory (a 48 KiB {@code epoll_event} array per poller, FFM-backed on JDK 25)
 * is invisible to the JDK's buffer-pool beans, so the rounds run in a child JVM whose heap is
 * fixed and pre-touched: any growth of its resident set is native. A leaked array per poller
 * would be about 470 MiB.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NettyEpollFdLeakTest {

    private static final int ROUNDS = 10_000;
    private static final long RSS_SLACK_KIB = 96 * 1024;

    /** The number of open descriptors of this process. */
    static int openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count() - 1; // minus the directory stream's own fd
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This process's resident set size in KiB ({@code VmRSS} of {@code /proc/self/status}). */
    static long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/self/status");
    }

    /** The child JVM: runs the rounds and prints "fds BEFORE AFTER rss BEFORE AFTER". */
    public static final class Child {
        private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
        // RST instead of FIN: 10,000 connections would otherwise leave 10,000 TIME_WAIT entries
        private static final SocketOptions ABORTIVE =
                SocketOptions.none().with(StandardSocketOptions.SO_LINGER, 0);

        private Child() {
        }

        static void oneRound(ByteBuffer direct, ByteBuffer heap) throws IOException {
            try (Poller poller = Pollers.create("netty-epoll")) {
                ListenSocket l = poller.sockets().listen(new InetSocketAddress(LOOPBACK, 0), 4, SocketOptions.none());
                StreamSocket c = poller.sockets().connect(l.localAddress(), ABORTIVE);
                StreamSocket s;
                while ((s = l.accept()) == null) {
                    Thread.onSpinWait();
                }
                DatagramSocket d = poller.sockets().openDatagram(new InetSocketAddress(LOOPBACK, 0), null,
                        SocketOptions.none());
                poller.register(c, Poller.WRITE, ops -> { });
                poller.register(s, Poller.READ, ops -> { });
                poller.register(d, Poller.READ, ops -> { });
                c.write(heap.clear());
                c.write(direct.clear());
                poller.poll(0);
                s.read(heap.clear());
                c.close();
                s.close();
                d.close();
                l.close();
            }
        }

        /**
         * Runs the rounds.
         *
         * @param args unused
         * @throws IOException on failure
         */
        public static void main(String[] args) throws IOException {
            ByteBuffer direct = ByteBuffer.allocateDirect(16);
            ByteBuffer heap = ByteBuffer.allocate(16);
            for (int i = 0; i < 200; i++) {
                oneRound(direct, heap); // load and JIT everything first
            }
            System.gc();
            int fds = openFds();
            long rss = rssKib();
            for (int i = 0; i < ROUNDS; i++) {
                oneRound(direct, heap);
            }
            System.gc();
            System.out.println("fds " + fds + " " + openFds() + " rss " + rss + " " + rssKib());
        }
    }

    @Test
    void tenThousandPollersAndTheirSocketsLeaveNoDescriptorOrNativeMemoryBehind() throws Exception {
        assumeTrue(new NettyEpollPollerProvider().availability().available(), "netty-epoll unavailable");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(),
                "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), Child.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(150, TimeUnit.SECONDS), "the child JVM did not finish");
        assertEquals(0, p.exitValue(), out);
        String[] f = out.substring(out.lastIndexOf("fds ")).split(" ");
        // Each round opens 3 fds for the poller (epoll, eventfd, timerfd) and 4 sockets: a leak of
        // any of them would show as thousands.
        assertEquals(f[1], f[2], "open fds before and after " + ROUNDS + " rounds: " + out);
        long grew = Long.parseLong(f[5]) - Long.parseLong(f[4]);
        assertTrue(grew < RSS_SLACK_KIB, "resident memory grew by " + grew + " KiB over " + ROUNDS
                + " rounds: " + out);
    }
}
