package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.group.LoopGroup;
import dev.pollen.loop.EventLoop;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Server;
import dev.pollen.net.Transport;
import dev.pollen.net.tls.TlsConfig;
import dev.pollen.proxy.Balance;
import dev.pollen.proxy.CloseReason;
import dev.pollen.proxy.ProxyConnection;
import dev.pollen.proxy.ProxyListener;
import dev.pollen.proxy.ProxyServer;
import dev.pollen.proxy.ProxyStats;
import dev.pollen.proxy.TcpProxy;
import dev.pollen.proxy.Upstream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link TcpProxy} contract on a backend: forwarding, failover, clean refusals, timeouts,
 * drain, counters and listener calls, on one loop and on a {@link LoopGroup}.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the single loops; a group runs its own threads.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class ProxyContract extends NetFixture {

    private static final int MIB = 1 << 20;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void closeExtras() throws Exception {
        for (AutoCloseable c : cleanup) {
            c.close();
        }
        cleanup.clear();
    }

    // ------------------------------------------------------------------ helpers

    /** Records every listener call as one line, in order (thread-safe for groups). */
    static class Events implements ProxyListener {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final List<ProxyConnection> closed = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void accepted(ProxyConnection c) {
            lines.add("accepted " + c.id());
        }

        @Override
        public void upstreamChosen(ProxyConnection c, Upstream u, int attempt) {
            lines.add("chosen " + c.id() + " " + u.port() + " #" + attempt);
        }

        @Override
        public void upstreamConnected(ProxyConnection c, Upstream u) {
            lines.add("connected " + c.id() + " " + u.port());
        }

        @Override
        public void upstreamFailed(ProxyConnection c, Upstream u, Throwable cause) {
            lines.add("failed " + c.id() + " " + u.port() + " " + cause.getClass().getSimpleName());
        }

        @Override
        public void closed(ProxyConnection c) {
            lines.add("closed " + c.id() + " " + c.reason());
            closed.add(c);
        }

        List<String> snapshot() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }
    }

    /** Writes its name at once, then echoes. */
    static final class NamedEcho extends Echo {
        private final String name;

        NamedEcho(String name) {
            this.name = name;
        }

        @Override
        public void connectionMade(Transport t) {
            super.connectionMade(t);
            t.write(ByteBuffer.wrap(name.getBytes(StandardCharsets.US_ASCII)));
        }
    }

    /** A port nobody listens on (bound, then closed): connects to it are refused. */
    static int refusedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(LOCAL))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A listening socket whose accept queue is full, so that the kernel drops further SYNs and a
     * connect to it neither succeeds nor fails: it times out. Skips the test where the queue
     * cannot be filled.
     */
    int blackholePort() throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        cleanup.add(listener);
        listener.bind(new InetSocketAddress(LOCAL, 0), 1);
        InetSocketAddress to = (InetSocketAddress) listener.getLocalAddress();
        for (int i = 0; i < 32; i++) {
            SocketChannel c = SocketChannel.open();
            cleanup.add(c);
            c.configureBlocking(false);
            if (c.connect(to)) {
                continue;
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            boolean connected = false;
            while (System.nanoTime() < deadline && !(connected = c.finishConnect())) {
                sleep(5);
            }
            if (!connected) {
                return to.getPort(); // this SYN was dropped: the queue is full
            }
        }
        assumeTrue(false, "could not fill a listening socket's accept queue on this machine, so "
                + "no connect here times out (needed to test the connect timeout)");
        return -1;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private TcpProxy.Builder proxy(int... upstreamPorts) {
        TcpProxy.Builder b = TcpProxy.builder().listen(LOCAL, 0);
        for (int p : upstreamPorts) {
            b.upstream(LOCAL, p);
        }
        return b;
    }

    private ProxyServer start(EventLoop loop, TcpProxy proxy) {
        return run(loop, proxy.start(loop));
    }

    private Connection<Recorder> client(EventLoop loop, ProxyServer p) {
        return connect(loop, Recorder::new, p.port());
    }

    private static String text(Recorder r) {
        return new String(r.bytes(), StandardCharsets.US_ASCII);
    }

    private void awaitClosed(EventLoop loop, Events events, int n) {
        runUntil(loop, () -> events.closed.size() >= n, n + " proxied connection(s) to close");
    }

    private <T> T await(EventLoop loop, CompletableFuture<T> f) {
        runUntil(loop, f::isDone, "a proxy future");
        return f.join();
    }

    // ------------------------------------------------------------------ forwarding

    @Test
    void forwardsLargeTransfersByteExactInBothDirectionsAndCountsThem() {
        EventLoop loop = newLoop();
        Server upstream = server(loop, Echo::new);
        Events events = new Events();
        ProxyServer p = start(loop, proxy(port(upstream)).listener(events).build());
        Connection<Recorder> c = client(loop, p);
        byte[] data = randomBytes(4 * MIB, 7);
        c.transport().write(ByteBuffer.wrap(data));
        c.transport().writeEof();
        runUntil(loop, () -> c.protocol().lost, "the echo through the proxy");
        assertArrayEquals(data, c.protocol().bytes());
        assertTrue(c.protocol().eof);
        assertNull(c.protocol().lostCause);
        awaitClosed(loop, events, 1);
        ProxyConnection pc = events.closed.get(0);
        assertEquals(CloseReason.DONE, pc.reason());
        assertEquals(4 * MIB, pc.bytesToUpstream());
        assertEquals(4 * MIB, pc.bytesToClient());
        ProxyStats s = p.stats();
        assertEquals(1, s.accepted());
        assertEquals(0, s.open());
        assertEquals(4 * MIB, s.bytesToUpstream());
        assertEquals(4 * MIB, s.bytesToClient());
        assertEquals(0, s.upstreamFailures());
        assertEquals(List.of("accepted 1", "chosen 1 " + port(upstream) + " #1",
                "connected 1 " + port(upstream), "closed 1 DONE"), events.snapshot());
        assertNoLoopErrors();
    }

    @Test
    void halfCloseIsForwardedBothWays() {
        EventLoop loop = newLoop();
        Server upstream = server(loop, () -> new AnswerAtEof((t, got) -> {
            t.write(ByteBuffer.wrap(("bye after " + got).getBytes(StandardCharsets.US_ASCII)));
            t.writeEof();
        }));
        Events events = new Events();
        ProxyServer p = start(loop, proxy(port(upstream)).listener(events).build());
        Recorder r = new Recorder();
        r.keepOpenOnEof = true;
        Connection<Recorder> c = connect(loop, () -> r, p.port());
        // Sent at once: the request and the half-close usually reach the proxy before its
        // upstream connect completes, so they are held and forwarded when it does.
        c.transport().write(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)));
        c.transport().writeEof();
        runUntil(loop, () -> r.eof, "the upstream's answer and end-of-stream");
        assertEquals("bye after hi", text(r));
        awaitClosed(loop, events, 1);
        assertEquals(CloseReason.DONE, events.closed.get(0).reason());
        assertEquals(2, events.closed.get(0).bytesToUpstream());
        c.transport().close();
        assertNoLoopErrors();
    }

    @Test
    void anEarlyHalfCloseWaitsForTheUpstreamThatConnectsAfterARetry() throws IOException {
        EventLoop loop = newLoop();
        Server upstream = server(loop, () -> new AnswerAtEof((t, got) -> {
            t.write(ByteBuffer.wrap(("got " + got).getBytes(StandardCharsets.US_ASCII)));
            t.writeEof();
        }));
        int slow = blackholePort();
        Events events = new Events();
        ProxyServer p = start(loop, proxy(slow, port(upstream))
                .connectTimeout(Duration.ofMillis(300)).listener(events).build());
        Recorder r = new Recorder();
        r.keepOpenOnEof = true;
        Connection<Recorder> c = connect(loop, () -> r, p.port());
        c.transport().write(ByteBuffer.wrap("request".getBytes(StandardCharsets.US_ASCII)));
        c.transport().writeEof(); // surely before the first attempt times out
        runUntil(loop, () -> r.eof, "the answer from the second upstream");
        assertEquals("got request", text(r));
        assertNull(r.lostCause);
        awaitClosed(loop, events, 1);
        assertEquals(CloseReason.DONE, events.closed.get(0).reason());
        c.transport().close();
    }

    @Test
    void aListenerThatThrowsIsReportedAndTheConnectionCarriesOn() {
        EventLoop loop = newLoop();
        Server upstream = server(loop, Echo::new);
        ProxyServer p = start(loop, proxy(port(upstream)).listener(new ProxyListener() {
            @Override
            public void accepted(ProxyConnection c) {
                throw new IllegalStateException("listener bug");
            }
        }).build());
        Connection<Recorder> c = client(loop, p);
        c.transport().write(ByteBuffer.wrap("still works".getBytes(StandardCharsets.US_ASCII)));
        runUntil(loop, () -> c.protocol().bytes().length == 11, "the echo");
        assertEquals(1, loopErrors.size());
        assertTrue(loopErrors.get(0).message().contains("proxy listener accepted failed"),
                loopErrors.get(0).message());
        assertEquals("listener bug", loopErrors.get(0).exception().getMessage());
        c.transport().close();
    }

    @Test
    void aListenerMayAbortAConnectionBeforeItsUpstreamIsTried() {
        EventLoop loop = newLoop();
        Server upstream = server(loop, Echo::new);
        Events events = new Events() {
            @Override
            public void accepted(ProxyConnection c) {
                super.accepted(c);
                c.abort();
            }
        };
        ProxyServer p = start(loop, proxy(port(upstream)).listener(events).build());
        Recorder r = new Recorder();
        // The reset may come before this side's connect completes (it then fails): either way
        // the client is gone, and no upstream was tried.
        var connecting = Net.createConnection(loop, () -> r, LOCAL, p.port());
        awaitClosed(loop, events, 1);
        assertEquals(List.of("accepted 1", "closed 1 ABORTED"), events.snapshot());
        runUntil(loop, () -> connecting.isDone() && (connecting.exception() != null || r.lost),
                "the client to see the abort");
        assertEquals(1, p.stats().aborted());
        assertEquals(0, p.stats().upstreamFailures());
    }

    // ------------------------------------------------------------------ failures

    @Test
    void aRefusedUpstreamEndsTheClientCleanlyEvenWithUnreadBytes() {
        EventLoop loop = newLoop();
        int dead = refusedPort();
        Events events = new Events();
        ProxyServer p = start(loop, proxy(dead).listener(events).build());
        Recorder r = new Recorder();
        r.keepOpenOnEof = true; // stay open: a reset arriving after the EOF would show too
        Connection<Recorder> c = connect(loop, () -> r, p.port(), SMALL_BUFFERS);
        // More than the proxy holds while connecting (64 KiB) and more than fits the kernel's
        // buffers: bytes are unread in the proxy's socket when the refusal comes.
        c.transport().write(ByteBuffer.wrap(randomBytes(MIB, 3)));
        runUntil(loop, () -> r.eof || r.lost, "the proxy to end the refused client");
        assertTrue(r.eof, "expected end-of-stream, got " + r.lostCause);
        assertNull(r.lostCause);
        runFor(loop, Duration.ofMillis(200));
        assertNull(r.lostCause, "the refused client was reset after its end-of-stream");
        assertEquals(0, r.bytes().length);
        c.transport().close();
        awaitClosed(loop, events, 1);
        ProxyConnection pc = events.closed.get(0);
        assertEquals(CloseReason.NO_UPSTREAM, pc.reason());
        assertEquals(0, pc.bytesToUpstream());
        assertEquals(List.of("accepted 1", "chosen 1 " + dead + " #1",
                "failed 1 " + dead + " ConnectException", "closed 1 NO_UPSTREAM"), events.snapshot());
        ProxyStats s = p.stats();
        assertEquals(1, s.upstreamFailures());
        assertEquals(1, s.noUpstream());
        assertNoLoopErrors();
    }

    @Test
    void upstreamFailuresAreLoggedOnOneLineAtMostOnceASecond() {
        EventLoop loop = newLoop();
        int dead = refusedPort();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("dev.pollen.proxy");
        List<java.util.logging.LogRecord> records = Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        try {
            Events events = new Events();
            ProxyServer p = start(loop, proxy(dead).listener(events).build());
            long t0 = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                client(loop, p);
            }
            awaitClosed(loop, events, 5);
            assumeTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(900),
                    "this machine took more than a second for five refusals; the rate cannot be checked");
            assertEquals(1, records.size(), "five failures within a second: one line");
            runFor(loop, Duration.ofMillis(1100));
            client(loop, p);
            awaitClosed(loop, events, 6);
            assertEquals(2, records.size());
            String second = records.get(1).getMessage();
            String upstream = LOCAL + ":" + dead;
            assertTrue(second.contains(": connect to " + upstream + ": "), second);
            assertFalse(second.contains("upstream " + upstream),
                    "the library's message names the upstream; the proxy adds no second mention: " + second);
            assertTrue(second.contains("4 more failure(s) not logged"), second);
            assertFalse(second.contains("\n"), second);
            for (java.util.logging.LogRecord r : records) {
                assertNull(r.getThrown(), "a refusal is routine: no stack trace");
                assertEquals(java.util.logging.Level.WARNING, r.getLevel());
            }
        } finally {
            log.removeHandler(capture);
        }
    }

    @Test
    void aConnectThatHangsTimesOutAndTheClientIsClosedCleanly() throws IOException {
        EventLoop loop = newLoop();
        int slow = blackholePort();
        Events events = new Events();
        ProxyServer p = start(loop, proxy(slow).connectTimeout(Duration.ofMillis(300))
                .listener(events).build());
        Recorder r = new Recorder();
        r.keepOpenOnEof = true;
        long t0 = System.nanoTime();
        Connection<Recorder> c = connect(loop, () -> r, p.port());
        c.transport().write(ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        runUntil(loop, () -> r.eof || r.lost, "the connect timeout");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(r.eof, "expected end-of-stream, got " + r.lostCause);
        assertTrue(ms >= 250, "ended after " + ms + " ms, before the 300 ms connect timeout");
        runFor(loop, Duration.ofMillis(100));
        assertNull(r.lostCause, "reset after the end-of-stream");
        c.transport().close();
        awaitClosed(loop, events, 1);
        assertEquals("failed 1 " + slow + " SocketTimeoutException", events.snapshot().get(2));
        assertEquals(CloseReason.NO_UPSTREAM, events.closed.get(0).reason());
    }

    @Test
    void firstBalanceFailsOverInListOrder() {
        EventLoop loop = newLoop();
        int dead = refusedPort();
        Server a = server(loop, () -> new NamedEcho("A"));
        Server b = server(loop, () -> new NamedEcho("B"));
        Events events = new Events();
        ProxyServer p = start(loop, proxy(dead, port(a), port(b)).listener(events).build());
        for (int i = 1; i <= 2; i++) {
            Connection<Recorder> c = client(loop, p);
            runUntil(loop, () -> c.protocol().bytes().length >= 1, "the upstream's name");
            assertEquals("A", text(c.protocol()));
            c.transport().close();
        }
        awaitClosed(loop, events, 2);
        assertEquals(List.of("accepted 1", "chosen 1 " + dead + " #1",
                "failed 1 " + dead + " ConnectException", "chosen 1 " + port(a) + " #2",
                "connected 1 " + port(a)), events.snapshot().subList(0, 5));
        assertEquals(2, p.stats().upstreamFailures());
        assertEquals(2, events.closed.get(1).attempts());
    }

    @Test
    void roundRobinTakesTurnsAndSkipsAFailedUpstream() {
        EventLoop loop = newLoop();
        Server a = server(loop, () -> new NamedEcho("A"));
        int dead = refusedPort();
        Server c3 = server(loop, () -> new NamedEcho("C"));
        ProxyServer p = start(loop, proxy(port(a), dead, port(c3)).balance(Balance.ROUND_ROBIN)
                .build());
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            Connection<Recorder> c = client(loop, p);
            runUntil(loop, () -> c.protocol().bytes().length >= 1, "the upstream's name");
            seen.append(text(c.protocol()));
            c.transport().close();
        }
        // Turns start at A, the dead one (fails over to C), C, then again.
        assertEquals("ACCACC", seen.toString());
        assertEquals(2, p.stats().upstreamFailures());
    }

    @Test
    void roundRobinSpreadsEvenly() {
        EventLoop loop = newLoop();
        Server a = server(loop, () -> new NamedEcho("A"));
        Server b = server(loop, () -> new NamedEcho("B"));
        Server c3 = server(loop, () -> new NamedEcho("C"));
        ProxyServer p = start(loop, proxy(port(a), port(b), port(c3))
                .balance(Balance.ROUND_ROBIN).build());
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            Connection<Recorder> c = client(loop, p);
            runUntil(loop, () -> c.protocol().bytes().length >= 1, "the upstream's name");
            seen.append(text(c.protocol()));
            c.transport().close();
        }
        assertEquals("ABCABC", seen.toString());
    }

    @Test
    void retriesExhaustedEndTheClientWithNoUpstream() {
        EventLoop loop = newLoop();
        int dead1 = refusedPort();
        int dead2 = refusedPort();
        Server good = server(loop, () -> new NamedEcho("G"));
        Events events = new Events();
        ProxyServer p = start(loop, proxy(dead1, dead2, port(good)).retries(1).listener(events)
                .build());
        Recorder r = new Recorder();
        Connection<Recorder> c = connect(loop, () -> r, p.port());
        c.transport().write(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)));
        awaitClosed(loop, events, 1);
        runUntil(loop, () -> r.eof || r.lost, "the client to see the end");
        assertTrue(r.eof);
        assertNull(r.lostCause);
        ProxyConnection pc = events.closed.get(0);
        assertEquals(CloseReason.NO_UPSTREAM, pc.reason());
        assertEquals(2, pc.attempts());
        assertEquals(new Upstream(LOCAL, dead2), pc.upstream());
        assertEquals(2, p.stats().upstreamFailures());
        assertEquals(1, p.stats().noUpstream());
    }

    @Test
    void aClientLeavingWhileTheUpstreamConnectsAbandonsTheAttempt() throws IOException {
        FdCount.assumeAvailable();
        EventLoop loop = newLoop();
        int slow = blackholePort();
        Events events = new Events();
        ProxyServer p = start(loop, proxy(slow).connectTimeout(Duration.ofSeconds(20))
                .listener(events).build());
        int before = FdCount.now();
        Connection<Recorder> c = client(loop, p);
        runUntil(loop, () -> events.snapshot().size() >= 2, "the upstream attempt to start");
        long t0 = System.nanoTime();
        c.transport().abort(); // a reset: the client is gone
        awaitClosed(loop, events, 1);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5),
                "noticed only when the connect timed out");
        assertEquals(CloseReason.CLIENT_LEFT, events.closed.get(0).reason());
        assertEquals(List.of("accepted 1", "chosen 1 " + slow + " #1", "closed 1 CLIENT_LEFT"),
                events.snapshot());
        assertEquals(1, p.stats().clientsLeft());
        assertEquals(0, p.openConnections());
        runFor(loop, Duration.ofMillis(50));
        int after = FdCount.settled(before);
        assertTrue(after <= before, "descriptors leaked: " + before + " before, " + after
                + " after: " + FdCount.describe());
        assertNoLoopErrors();
    }

    @Test
    void anIdleConnectionIsClosedAndABusyOneIsNot() {
        EventLoop loop = newLoop();
        Server upstream = server(loop, Echo::new);
        Events events = new Events();
        ProxyServer p = start(loop, proxy(port(upstream)).idleTimeout(Duration.ofMillis(300))
                .listener(events).build());
        Connection<Recorder> busy = client(loop, p);
        Connection<Recorder> idle = client(loop, p);
        idle.transport().write(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)));
        for (int i = 0; i < 8; i++) { // 800 ms of a byte every 100 ms
            busy.transport().write(ByteBuffer.wrap("y".getBytes(StandardCharsets.US_ASCII)));
            runFor(loop, Duration.ofMillis(100));
        }
        runUntil(loop, () -> idle.protocol().lost, "the idle connection to close");
        assertEquals("x", text(idle.protocol()));
        assertFalse(busy.protocol().lost, "the busy connection was closed as idle");
        assertEquals(8, busy.protocol().bytes().length);
        awaitClosed(loop, events, 1);
        assertEquals(CloseReason.IDLE_TIMEOUT, events.closed.get(0).reason());
        assertEquals(1, p.stats().idleTimeouts());
        busy.transport().close();
        awaitClosed(loop, events, 2);
    }

    // ------------------------------------------------------------------ stopping

    @Test
    void drainStopsAcceptingAndWaitsForOpenConnections() {
        EventLoop loop = newLoop();
        Server upstream = server(loop, Echo::new);
        Events events = new Events();
        ProxyServer p = start(loop, proxy(port(upstream)).listener(events).build());
        Connection<Recorder> c = client(loop, p);
        c.transport().write(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)));
        runUntil(loop, () -> c.protocol().bytes().length == 1, "the echo");
        CompletableFuture<Integer> drained = p.drain(Duration.ofSeconds(20));
        runFor(loop, Duration.ofMillis(100));
        assertFalse(p.isServing());
        assertFalse(drained.isDone(), "the drain did not wait for the open connection");
        Throwable refused = runExpectingFailure(loop,
                Net.createConnection(loop, Recorder::new, LOCAL, p.port()));
        assertInstanceOf(ConnectException.class, refused);
        c.transport().write(ByteBuffer.wrap("y".getBytes(StandardCharsets.US_ASCII)));
        c.transport().writeEof();
        assertEquals(0, await(loop, drained));
        assertEquals("xy", text(c.protocol()));
        assertEquals(CloseReason.DONE, events.closed.get(0).reason());
    }

    @Test
    void drainAbortsWhatIsStillOpenAtTheDeadline() {
        EventLoop loop = newLoop();
        Server upstream = server(loop, Echo::new);
        int slow;
        try {
            slow = blackholePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Events events = new Events();
        ProxyServer piped = start(loop, proxy(port(upstream)).listener(events).build());
        ProxyServer connecting = start(loop, proxy(slow).connectTimeout(Duration.ofSeconds(20))
                .listener(events).build());
        Connection<Recorder> c1 = client(loop, piped);
        c1.transport().write(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)));
        runUntil(loop, () -> c1.protocol().bytes().length == 1, "the echo");
        Connection<Recorder> c2 = client(loop, connecting);
        runUntil(loop, () -> connecting.openConnections() == 1, "the second client");
        long t0 = System.nanoTime();
        CompletableFuture<Integer> d1 = piped.drain(Duration.ofMillis(300));
        CompletableFuture<Integer> d2 = connecting.abort();
        assertEquals(1, await(loop, d1));
        assertEquals(1, await(loop, d2));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(250));
        runUntil(loop, () -> c1.protocol().lost && c2.protocol().lost, "both clients to go");
        assertEquals(2, events.closed.size());
        for (ProxyConnection pc : events.closed) {
            assertEquals(CloseReason.ABORTED, pc.reason(), pc + " " + events.snapshot());
        }
        assertEquals(1, piped.stats().aborted());
        assertEquals(1, connecting.stats().aborted());
    }

    // ------------------------------------------------------------------ TLS, groups, config

    @Test
    void terminatesTlsOnTheListeningSide() throws IOException {
        EventLoop loop = newLoop();
        Server upstream = server(loop, Echo::new);
        TlsConfig serverTls = TlsConfig.forServer(TlsMaterial.keys("server")).build();
        TlsConfig clientTls = TlsConfig.forClient().trustPem(TlsMaterial.path("ca.pem")).build();
        Events events = new Events();
        ProxyServer p = start(loop, proxy(port(upstream)).listenTls(serverTls).listener(events)
                .build());
        Connection<Recorder> c = run(loop, Net.createConnection(loop, Recorder::new, "localhost",
                p.port(), NetOptions.defaults(), clientTls));
        c.transport().write(ByteBuffer.wrap("over tls".getBytes(StandardCharsets.US_ASCII)));
        runUntil(loop, () -> c.protocol().bytes().length == 8, "the echo through TLS");
        assertEquals("over tls", text(c.protocol()));
        c.transport().close();
        awaitClosed(loop, events, 1);
        assertEquals(8, events.closed.get(0).bytesToUpstream());
        // And a TLS client refused: ends cleanly (close_notify, no reset).
        ProxyServer dead = start(loop, proxy(refusedPort()).listenTls(serverTls).build());
        Recorder r = new Recorder();
        r.keepOpenOnEof = true;
        run(loop, Net.createConnection(loop, () -> r, "localhost", dead.port(),
                NetOptions.defaults(), clientTls));
        runUntil(loop, () -> r.eof || r.lost, "the refused TLS client to end");
        assertTrue(r.eof, "expected end-of-stream, got " + r.lostCause);
        assertNoLoopErrors();
    }

    @Test
    void runsOnALoopGroupWithOneRoundRobinAcrossLoops() throws Exception {
        LoopGroup group = LoopGroup.builder().loops(2).poller(this::newPoller).daemon(true)
                .exceptionHandler((l, ctx) -> loopErrors.add(ctx)).build();
        cleanup.add(group);
        var a = group.createServer(() -> new NamedEcho("A"), LOCAL, 0).get(20, TimeUnit.SECONDS);
        var b = group.createServer(() -> new NamedEcho("B"), LOCAL, 0).get(20, TimeUnit.SECONDS);
        Events events = new Events();
        ProxyServer p = TcpProxy.builder().listen(LOCAL, 0).upstream(LOCAL, a.port())
                .upstream(LOCAL, b.port()).balance(Balance.ROUND_ROBIN).listener(events).build()
                .start(group).get(20, TimeUnit.SECONDS);
        assertTrue(p.groupServer() != null);
        int as = 0;
        int n = 20;
        for (int i = 0; i < n; i++) {
            try (SocketChannel s = SocketChannel.open(new InetSocketAddress(LOCAL, p.port()))) {
                s.socket().setSoTimeout(20_000);
                byte[] name = new byte[1];
                assertEquals(1, s.socket().getInputStream().read(name));
                as += name[0] == 'A' ? 1 : 0;
                s.write(ByteBuffer.wrap(("ping" + i).getBytes(StandardCharsets.US_ASCII)));
                byte[] back = s.socket().getInputStream().readNBytes(("ping" + i).length());
                assertEquals("ping" + i, new String(back, StandardCharsets.US_ASCII));
            }
        }
        assertEquals(n / 2, as, "round robin over two upstreams, shared by the loops");
        assertEquals(0, p.drain(Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS));
        ProxyStats s = p.stats();
        assertEquals(n, s.accepted());
        assertEquals(0, s.open());
        assertEquals(events.closed.size(), n);
        assertTrue(s.bytesToUpstream() >= 5L * n);
        assertNoLoopErrors();
    }

    /** How many of {@code n} connects to {@code port} complete while nobody accepts. */
    private int connectsQueued(int port, int n, long waitMillis) throws IOException {
        List<SocketChannel> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SocketChannel c = SocketChannel.open();
            cleanup.add(c);
            c.configureBlocking(false);
            if (!c.connect(new InetSocketAddress(LOCAL, port))) {
                pending.add(c);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            pending.removeIf(c -> {
                try {
                    return c.finishConnect();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            sleep(5);
        }
        return n - pending.size();
    }

    @Test
    void theListenBacklogTakesABurstOfClientsWhileTheLoopIsBusy() throws IOException {
        // Linux only: there the backlog is the accept queue's length, capped by somaxconn, and a
        // SYN that finds the queue full is dropped (the client retries a second later).
        java.nio.file.Path max = java.nio.file.Path.of("/proc/sys/net/core/somaxconn");
        assumeTrue(java.nio.file.Files.isReadable(max), "needs Linux's somaxconn to reason about"
                + " the accept queue");
        int somaxconn = Integer.parseInt(java.nio.file.Files.readAllLines(max).get(0).trim());
        assumeTrue(somaxconn >= 1024, "somaxconn is " + somaxconn + ": the kernel caps every"
                + " backlog below this test's burst");
        int burst = 700; // more than NetOptions.DEFAULT_BACKLOG (511) + 1
        EventLoop loop = newLoop();
        // The loop does not run between the calls below: nothing accepts, as when it is busy.
        TcpProxy config = proxy(refusedPort()).build();
        assertEquals(TcpProxy.DEFAULT_BACKLOG, config.listenOptions().backlog());
        ProxyServer p = start(loop, config);
        assertEquals(burst, connectsQueued(p.port(), burst, 2000),
                "every client of the burst waits in the accept queue");
        // The library's general default drops part of the same burst: what the proxy avoids.
        ProxyServer small = start(loop, proxy(refusedPort())
                .listenOptions(NetOptions.defaults()).build());
        assertTrue(connectsQueued(small.port(), burst, 300) < burst,
                "a backlog of 511 cannot hold " + burst + " clients");
        // The clients (closeExtras) and the loop with both proxies (the fixture) close after.
    }

    @Test
    void badConfigurationSaysWhatToDo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TcpProxy.builder().upstream(LOCAL, 80).build());
        assertTrue(e.getMessage().contains("listen(host, port)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TcpProxy.builder().listen(LOCAL, 0).build());
        assertTrue(e.getMessage().contains("upstream(host, port)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TcpProxy.builder().upstream(LOCAL, 0));
        assertTrue(e.getMessage().contains("1 to 65535"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> proxy(80).connectTimeout(Duration.ZERO).build());
        assertTrue(e.getMessage().contains("connectTimeout"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> proxy(80).retries(-1).build());
        assertTrue(e.getMessage().contains("retries"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> proxy(80)
                .listenOptions(NetOptions.builder().idleTimeout(Duration.ofSeconds(1)).build())
                .build());
        assertTrue(e.getMessage().contains("idleTimeout(...)"), e.getMessage());
        assertEquals(2, proxy(80, 81, 82).build().retries(), "default: each upstream once");
    }
}
