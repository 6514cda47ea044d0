package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.group.GroupServer;
import dev.pollen.group.LoopGroup;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Protocol;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link LoopGroup} serving real connections on the backend under test: servers spread over
 * the loops, shutdown with clients connected, and no descriptor left behind.
 *
 * <p>Clients are plain blocking JDK {@link SocketChannel}s on the test thread, so the group's
 * loops are the only ones using the backend.
 *
 * <p><b>Threading:</b> JUnit's test thread; the group runs its own loop threads.
 */
@Timeout(120)
public abstract class LoopGroupContract extends BackendFixture {

    private static final String LOCAL = "127.0.0.1";
    private static final long WAIT_SECONDS = 30;

    private final List<SocketChannel> clients = new ArrayList<>();
    private LoopGroup group;

    /** A group of {@code n} loops on the backend's pollers, shut down after the test. */
    private LoopGroup group(int n) {
        group = LoopGroup.builder().loops(n).poller(this::newPoller).daemon(true)
                .exceptionHandler((loop, ctx) -> loopErrors.add(ctx)).build();
        return group;
    }

    @AfterEach
    void closeGroupAndClients() throws IOException {
        for (SocketChannel c : clients) {
            c.close();
        }
        clients.clear();
        if (group != null) {
            group.close();
        }
    }

    @Test
    void fourLoopsServingAThousandConnectionsSpreadThemOverAllLoops() throws Exception {
        LoopGroup g = group(4);
        GroupServer server = g.createServer(Counting::new, LOCAL, 0).get(WAIT_SECONDS,
                TimeUnit.SECONDS);
        assumeTrue(server.spread() == GroupServer.Spread.REUSE_PORT, "the " + newPollerName()
                + " poller does not balance SO_REUSEPORT listeners here, so a group server keeps "
                + "its connections on the acceptor loop (see GroupServer.Spread)");
        connect(server.port(), 1_000);
        List<Integer> counts = awaitConnections(server, 1_000);
        for (int i = 0; i < 4; i++) {
            // the kernel hashes 1,000 connections over 4 listeners: about 250 each, never 0;
            // 50 is more than 14 standard deviations below the mean
            assertTrue(counts.get(i) >= 50, "loop " + i + " got its share: " + counts);
        }
        assertEquals(List.of(), loopErrors);
    }

    @Test
    void aSingleAcceptorKeepsItsConnectionsOnTheFirstLoop() throws Exception {
        LoopGroup g = group(3);
        GroupServer server = GroupServer.start(g, Counting::new, LOCAL, 0, NetOptions.defaults(),
                GroupServer.Spread.SINGLE_ACCEPTOR).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(GroupServer.Spread.SINGLE_ACCEPTOR, server.spread());
        connect(server.port(), 30);
        assertEquals(List.of(30, 0, 0), awaitConnections(server, 30));
    }

    @Test
    void shutdownStopsAcceptingAtOnceAndWaitsForConnectionsToEnd() throws Exception {
        LoopGroup g = group(2);
        AtomicInteger eofs = new AtomicInteger();
        GroupServer server = g.createServer(() -> new Counting(eofs), LOCAL, 0).get(WAIT_SECONDS,
                TimeUnit.SECONDS);
        int port = server.port();
        connect(port, 10);
        awaitConnections(server, 10);
        g.shutdownGracefully(Duration.ofMillis(20), Duration.ofSeconds(100));
        server.close().get(WAIT_SECONDS, TimeUnit.SECONDS); // listeners closed (already)
        assertThrows(ConnectException.class, () -> {
            try (SocketChannel late = SocketChannel.open(new InetSocketAddress(LOCAL, port))) {
                late.read(ByteBuffer.allocate(1)); // not reached: the port is closed
            }
        });
        assertTrue(!g.isTerminated(), "open connections keep the group running");
        for (SocketChannel c : clients) {
            c.close();
        }
        clients.clear();
        // well before the 100 s timeout: the loops end once the clients' connections are gone
        g.terminationFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(10, eofs.get(), "every connection ended by its client, none by the group");
        assertEquals(List.of(), loopErrors);
    }

    @Test
    void shutdownWithClientsConnectedClosesEverythingAndFreesEveryDescriptor() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd (Linux) to count descriptors");
        // warm up: classes, native libraries and JDK caches open descriptors once, for good
        serveAndShutDown(2, 20);
        long baseline = countFds(fds);
        serveAndShutDown(4, 500);
        long after = countFds(fds);
        for (int i = 0; i < 100 && after != baseline; i++) {
            Thread.sleep(20);
            after = countFds(fds);
        }
        assertEquals(baseline, after, "descriptors open before the group and after it ended: "
                + listFds(fds));
    }

    private void serveAndShutDown(int loops, int connections) throws Exception {
        LoopGroup g = group(loops);
        GroupServer server = g.createServer(Counting::new, LOCAL, 0).get(WAIT_SECONDS,
                TimeUnit.SECONDS);
        connect(server.port(), connections);
        awaitConnections(server, connections);
        g.shutdownGracefully(Duration.ofMillis(10), Duration.ofMillis(200))
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        for (SocketChannel c : clients) {
            ByteBuffer b = ByteBuffer.allocate(16);
            try {
                assertEquals(-1, c.read(b), "the group closed the connection");
            } catch (IOException reset) {
                // aborted rather than closed: also an end
            }
            c.close();
        }
        clients.clear();
        group = null;
        assertEquals(List.of(), loopErrors);
    }

    private void connect(int port, int n) throws IOException {
        InetSocketAddress to = new InetSocketAddress(LOCAL, port);
        for (int i = 0; i < n; i++) {
            clients.add(SocketChannel.open(to));
        }
    }

    private List<Integer> awaitConnections(GroupServer server, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            List<Integer> counts = server.connectionCounts().get(WAIT_SECONDS, TimeUnit.SECONDS);
            int sum = counts.stream().mapToInt(Integer::intValue).sum();
            if (sum >= expected || System.nanoTime() > deadline) {
                assertEquals(expected, sum, "connections accepted: " + counts);
                return counts;
            }
            Thread.sleep(5);
        }
    }

    private String newPollerName() {
        try (var p = newPoller()) {
            return p.name();
        }
    }

    private static long countFds(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    private static String listFds(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                try {
                    out.add(p.getFileName() + "->" + Files.readSymbolicLink(p));
                } catch (IOException gone) {
                    out.add(p.getFileName() + "->?");
                }
            }
        }
        return out.toString();
    }

    /** Server side: counts end-of-stream from the client. */
    private static final class Counting implements Protocol {
        private final AtomicInteger eofs;

        Counting() {
            this(new AtomicInteger());
        }

        Counting(AtomicInteger eofs) {
            this.eofs = eofs;
        }

        @Override
        public boolean eofReceived() {
            eofs.incrementAndGet();
            return false;
        }
    }
}
