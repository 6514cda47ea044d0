package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.group.GroupServer;
import dev.pollen.group.LoopGroup;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Protocol;
import dev.pollen.net.Server;
import dev.pollen.net.Transport;
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
import java.util.concurrent.CompletableFuture;
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
public class LoopGroupContract extends BackendFixture {

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
    void aSingleAcceptorHandsItsConnectionsToEveryLoopInTurn() throws Exception {
        LoopGroup g = group(4);
        AtomicInteger strayThreads = new AtomicInteger();
        GroupServer server = GroupServer.start(g, () -> new Echo(strayThreads), LOCAL, 0,
                NetOptions.defaults(), GroupServer.Spread.SINGLE_ACCEPTOR)
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(GroupServer.Spread.SINGLE_ACCEPTOR, server.spread());
        connect(server.port(), 200);
        // round robin from one acceptor: exactly a quarter each, the acceptor loop included
        assertEquals(List.of(50, 50, 50, 50), awaitConnections(server, 200));
        for (int i = 0; i < clients.size(); i++) {
            byte[] msg = ("hello " + i + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            SocketChannel c = clients.get(i);
            c.write(ByteBuffer.wrap(msg));
            ByteBuffer back = ByteBuffer.allocate(msg.length);
            while (back.hasRemaining()) {
                assertTrue(c.read(back) >= 0, "connection " + i + " ended before its echo");
            }
            assertEquals(new String(msg, java.nio.charset.StandardCharsets.US_ASCII),
                    new String(back.array(), java.nio.charset.StandardCharsets.US_ASCII));
        }
        assertEquals(0, strayThreads.get(), "every connection stayed on the loop it was handed to");
        server.closeClients().get(WAIT_SECONDS, TimeUnit.SECONDS);
        for (SocketChannel c : clients) {
            assertEquals(-1, c.read(ByteBuffer.allocate(1)), "closeClients reached every loop");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        List<Integer> left = server.connectionCounts().get(WAIT_SECONDS, TimeUnit.SECONDS);
        while (!left.equals(List.of(0, 0, 0, 0)) && System.nanoTime() < deadline) {
            Thread.sleep(5);
            left = server.connectionCounts().get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        assertEquals(List.of(0, 0, 0, 0), left, "every loop's connections were tracked there");
        assertEquals(List.of(), loopErrors);
    }

    @Test
    void aStreamsServerRunsEachConnectionsHandlerAsATaskOnEveryLoop() throws Exception {
        LoopGroup g = group(2);
        java.util.Set<EventLoop> servingLoops = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger strayThreads = new AtomicInteger();
        GroupServer server = g.startServer((reader, writer) -> {
            EventLoop loop = EventLoop.current();
            Thread thread = Thread.currentThread();
            servingLoops.add(loop);
            byte[] line;
            while ((line = reader.readLine()).length > 0) {
                if (Thread.currentThread() != thread || EventLoop.current() != loop) {
                    strayThreads.incrementAndGet();
                }
                writer.write(line);
                writer.drain();
            }
            writer.close();
        }, LOCAL, 0).get(WAIT_SECONDS, TimeUnit.SECONDS);
        connect(server.port(), 40);
        List<Integer> counts = awaitConnections(server, 40);
        for (int i = 0; i < clients.size(); i++) {
            byte[] msg = ("line " + i + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            SocketChannel c = clients.get(i);
            c.write(ByteBuffer.wrap(msg));
            ByteBuffer back = ByteBuffer.allocate(msg.length);
            while (back.hasRemaining()) {
                assertTrue(c.read(back) >= 0, "connection " + i + " ended before its echo");
            }
            assertEquals(new String(msg, java.nio.charset.StandardCharsets.US_ASCII),
                    new String(back.array(), java.nio.charset.StandardCharsets.US_ASCII));
        }
        // round robin gives 20 each; SO_REUSEPORT hashing leaves a loop empty with p = 2^-39
        assertTrue(counts.get(0) > 0 && counts.get(1) > 0, "both loops serve: " + counts);
        assertEquals(java.util.Set.copyOf(g.loops()), servingLoops,
                "the handlers ran as tasks on both loops");
        assertEquals(0, strayThreads.get(), "each handler stayed on its connection's loop");
        for (SocketChannel c : clients) {
            c.shutdownOutput(); // the handler's readLine returns empty, it closes its writer
            assertEquals(-1, c.read(ByteBuffer.allocate(1)), "the handler closed the connection");
        }
        awaitConnectionsDown(server);
        assertEquals(List.of(), loopErrors);
    }

    private static void awaitConnectionsDown(GroupServer server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        List<Integer> left = server.connectionCounts().get(WAIT_SECONDS, TimeUnit.SECONDS);
        while (left.stream().anyMatch(n -> n != 0) && System.nanoTime() < deadline) {
            Thread.sleep(5);
            left = server.connectionCounts().get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        assertTrue(left.stream().allMatch(n -> n == 0), "every connection ended: " + left);
    }

    @Test
    void netConnectAcceptedSocketServesASocketAcceptedByAnotherLoop() throws Exception {
        LoopGroup g = group(2);
        EventLoop acceptor = g.loop(0);
        EventLoop worker = g.loop(1);
        CompletableFuture<Transport> served = new CompletableFuture<>();
        AtomicInteger strayThreads = new AtomicInteger();
        Server server = g.submit(acceptor, () -> Net.createServer(acceptor, Counting::new, LOCAL,
                0).toCompletableFuture()).get(WAIT_SECONDS, TimeUnit.SECONDS)
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        g.submit(acceptor, () -> {
            server.setAcceptedSocketHandler(sock -> worker.callSoonThreadsafe(() ->
                    Net.connectAcceptedSocket(worker, () -> new Echo(strayThreads), sock,
                            NetOptions.defaults()).addDoneCallback(f -> {
                                if (f.exception() != null) {
                                    served.completeExceptionally(f.exception());
                                } else {
                                    served.complete(f.result().transport());
                                }
                            })));
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        int port = ((InetSocketAddress) g.submit(acceptor, () -> server.sockets().get(0))
                .get(WAIT_SECONDS, TimeUnit.SECONDS)).getPort();
        connect(port, 1);
        Transport t = served.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertSame(worker, t.loop(), "the connection lives on the loop that adopted it");
        SocketChannel c = clients.get(0);
        c.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        ByteBuffer back = ByteBuffer.allocate(3);
        while (back.hasRemaining()) {
            assertTrue(c.read(back) >= 0, "the connection ended before its echo");
        }
        assertEquals(List.of(0), g.submit(acceptor, () -> List.of(server.connectionCount()))
                .get(WAIT_SECONDS, TimeUnit.SECONDS), "a handed-off socket is not the acceptor's");
        assertEquals(0, strayThreads.get());
        assertEquals(List.of(), loopErrors);
    }

    @Test
    void aSingleAcceptorGroupShutdownFreesEveryDescriptor() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd (Linux) to count descriptors");
        serveAndShutDown(2, 20, GroupServer.Spread.SINGLE_ACCEPTOR); // warm up
        long baseline = countFds(fds);
        serveAndShutDown(4, 200, GroupServer.Spread.SINGLE_ACCEPTOR);
        assertEquals(baseline, settledFds(fds, baseline), "descriptors open before the group "
                + "and after it ended: " + listFds(fds));
    }

    @Test
    void handOffsRacingWithShutdownLeakNoDescriptor() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd (Linux) to count descriptors");
        serveAndShutDown(2, 20, GroupServer.Spread.SINGLE_ACCEPTOR); // warm up
        long baseline = countFds(fds);
        LoopGroup g = group(4);
        GroupServer server = GroupServer.start(g, Counting::new, LOCAL, 0, NetOptions.defaults(),
                GroupServer.Spread.SINGLE_ACCEPTOR).get(WAIT_SECONDS, TimeUnit.SECONDS);
        // the kernel completes these connects from the backlog; the acceptor is still handing
        // them to the other loops when the shutdown closes everything
        connect(server.port(), 150);
        g.shutdownNow();
        g.terminationFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        for (SocketChannel c : clients) {
            c.close();
        }
        clients.clear();
        group = null;
        assertEquals(baseline, settledFds(fds, baseline), "descriptors open before the group "
                + "and after it ended: " + listFds(fds));
        assertEquals(List.of(), loopErrors);
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
        serveAndShutDown(2, 20, GroupServer.Spread.AUTO);
        long baseline = countFds(fds);
        serveAndShutDown(4, 500, GroupServer.Spread.AUTO);
        long after = countFds(fds);
        for (int i = 0; i < 100 && after != baseline; i++) {
            Thread.sleep(20);
            after = countFds(fds);
        }
        assertEquals(baseline, after, "descriptors open before the group and after it ended: "
                + listFds(fds));
    }

    // ------------------------------------------------------------------ a loop that dies

    @Test
    void aLoopThatDiesHasItsListenerClosedIsReportedAndTheOtherLoopsServeEveryNewConnection()
            throws Exception {
        LoopGroup g = group(2);
        AtomicInteger strayThreads = new AtomicInteger();
        GroupServer server = g.createServer(() -> new Echo(strayThreads), LOCAL, 0)
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        assumeTrue(server.spread() == GroupServer.Spread.REUSE_PORT, "the " + newPollerName()
                + " poller does not balance SO_REUSEPORT listeners here (see the single-acceptor "
                + "test)");
        connect(server.port(), 40);
        List<Integer> before = awaitConnections(server, 40);
        assertTrue(before.get(0) > 0 && before.get(1) > 0, "both loops got connections: " + before);

        killLoop(g, 1);

        // Its connections were aborted; the others still echo.
        int ended = 0;
        int echoed = 0;
        for (SocketChannel c : clients) {
            if (echoOrEnd(c)) {
                echoed++;
            } else {
                ended++;
            }
        }
        assertEquals(before, List.of(echoed, ended), "echoed / ended per loop");
        // Every new connection goes to the living loop: a listener left open on the dead one
        // would take about half of them and never accept.
        clients.clear();
        connect(server.port(), 100);
        for (SocketChannel c : clients) {
            assertTrue(echoOrEnd(c), "a new connection was not served");
        }
        assertEquals(List.of(100 + before.get(0), 0), server.connectionCounts()
                .get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, strayThreads.get());
        assertDeathReported(g, 1);
    }

    @Test
    void aSingleAcceptorStopsHandingConnectionsToALoopThatDied() throws Exception {
        LoopGroup g = group(3);
        AtomicInteger strayThreads = new AtomicInteger();
        GroupServer server = singleAcceptorEcho(g, strayThreads);
        killLoop(g, 2);
        connect(server.port(), 60);
        for (SocketChannel c : clients) {
            assertTrue(echoOrEnd(c), "a connection was handed to the dead loop");
        }
        assertEquals(List.of(30, 30, 0), server.connectionCounts()
                .get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, strayThreads.get());
        assertDeathReported(g, 2);
    }

    @Test
    void whenTheSingleAcceptorsLoopDiesTheNextLoopTakesOverListening() throws Exception {
        LoopGroup g = group(3);
        AtomicInteger strayThreads = new AtomicInteger();
        GroupServer server = singleAcceptorEcho(g, strayThreads);
        killLoop(g, 0);
        // the next loop binds the port again: until it has, connections are refused
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            try {
                connect(server.port(), 1);
                break;
            } catch (ConnectException refused) {
                assertTrue(System.nanoTime() < deadline, "nobody listens after the acceptor died");
                Thread.sleep(10);
            }
        }
        // Served: the new acceptor is set up (a connection it accepts while it takes over is
        // served where it was accepted); from now on it hands connections out in turn.
        assertTrue(echoOrEnd(clients.get(0)), "the first connection was not served");
        connect(server.port(), 59);
        for (SocketChannel c : clients) {
            assertTrue(echoOrEnd(c), "a connection was not served");
        }
        List<Integer> counts = server.connectionCounts().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, counts.get(0), "none on the dead loop: " + counts);
        assertEquals(60, counts.get(1) + counts.get(2), counts.toString());
        assertTrue(Math.abs(counts.get(1) - counts.get(2)) <= 2, "spread over the two loops "
                + "left: " + counts);
        assertEquals(0, strayThreads.get());
        assertDeathReported(g, 0);
    }

    private GroupServer singleAcceptorEcho(LoopGroup g, AtomicInteger strayThreads)
            throws Exception {
        return GroupServer.start(g, () -> new Echo(strayThreads), LOCAL, 0, NetOptions.defaults(),
                GroupServer.Spread.SINGLE_ACCEPTOR).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Ends loop {@code index}'s thread the one way a loop cannot survive: its poller closed under
     * it (see EventLoop's "Errors"); then waits until the group has noticed.
     */
    private void killLoop(LoopGroup g, int index) throws Exception {
        EventLoop victim = g.loop(index);
        victim.callSoonThreadsafe(() -> victim.poller().close());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!victim.isClosed() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(victim.isClosed(), "the group closed the loop whose thread ended");
        assertEquals(List.of(index), g.deadLoops());
        for (int i = 0; i < 10; i++) {
            assertTrue(g.next() != victim, "next() handed out the dead loop");
        }
    }

    private void assertDeathReported(LoopGroup g, int index) {
        String name = g.loop(index).name();
        List<ExceptionContext> deaths = loopErrors.stream()
                .filter(c -> c.message().contains("ended unexpectedly")).toList();
        assertEquals(1, deaths.size(), "one report of the death: " + loopErrors);
        assertTrue(deaths.get(0).message().contains(name), deaths.get(0).message());
        assertInstanceOf(IllegalStateException.class, deaths.get(0).exception());
        assertTrue(deaths.get(0).exception().getMessage().contains("poller"),
                deaths.get(0).exception().getMessage());
        assertEquals(1, loopErrors.size(), "nothing else went wrong: " + loopErrors);
    }

    /**
     * Sends a line and reads it back: true if echoed, false if the connection ended (EOF or
     * reset) instead. Fails after 10 s of silence.
     */
    private static boolean echoOrEnd(SocketChannel c) throws IOException {
        java.net.Socket s = c.socket();
        s.setSoTimeout(10_000);
        byte[] msg = "ping\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try {
            s.getOutputStream().write(msg);
            byte[] back = s.getInputStream().readNBytes(msg.length);
            if (back.length < msg.length) {
                return false;
            }
            assertEquals("ping\n", new String(back, java.nio.charset.StandardCharsets.US_ASCII));
            return true;
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("neither echoed nor ended within 10 s", e);
        } catch (IOException reset) {
            return false;
        }
    }

    private void serveAndShutDown(int loops, int connections, GroupServer.Spread spread)
            throws Exception {
        LoopGroup g = group(loops);
        GroupServer server = GroupServer.start(g, Counting::new, LOCAL, 0, NetOptions.defaults(),
                spread).get(WAIT_SECONDS, TimeUnit.SECONDS);
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

    /** The count once it is back at {@code baseline}, or after 2 s of trying. */
    private static long settledFds(Path dir, long baseline) throws Exception {
        long n = countFds(dir);
        for (int i = 0; i < 100 && n != baseline; i++) {
            Thread.sleep(20);
            n = countFds(dir);
        }
        return n;
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

    /** Server side: echoes, and counts callbacks that ran off the connection's first thread. */
    private static final class Echo implements Protocol {
        private final AtomicInteger strayThreads;
        private Transport transport;
        private Thread thread;

        Echo(AtomicInteger strayThreads) {
            this.strayThreads = strayThreads;
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            thread = Thread.currentThread();
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            if (Thread.currentThread() != thread) {
                strayThreads.incrementAndGet();
            }
            transport.write(data);
        }
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
