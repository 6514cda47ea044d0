package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.async.Async;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.RawSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of asyncio's low-level socket operations on a backend: {@link RawSocket} with
 * {@link Net#sockRecv}, {@link Net#sockRecvInto}, {@link Net#sockSendall}, {@link Net#sockConnect},
 * {@link Net#sockAccept} and the UDP ones. Data both ways, end of stream, cancellation leaving
 * the socket usable (and unwatched), one waiting operation per direction, refused connects as
 * routine failures, flow control against a slow reader, bad input. Ports the applicable cases of
 * CPython's {@code Lib/test/test_asyncio/test_sock_lowlevel.py} (named on each test).
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class RawSocketContract extends NetFixture {

    private static final InetSocketAddress ANY_LOCAL = new InetSocketAddress(LOCAL, 0);

    /** A listener, a client connected to it, and the server's side of that connection. */
    private record Pair(RawSocket listener, RawSocket client, RawSocket server) {
    }

    private Pair pair(EventLoop loop, NetOptions options) throws IOException {
        RawSocket listener = RawSocket.listen(loop, ANY_LOCAL, options);
        RawSocket client = RawSocket.stream(loop, options);
        Future<Void> connected = Net.sockConnect(client, listener.localAddress());
        RawSocket.Accepted accepted = run(loop, Net.sockAccept(listener));
        run(loop, connected);
        return new Pair(listener, client, accepted.socket());
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** Receives until {@code n} bytes have come, in a task. */
    private static byte[] recvExactly(RawSocket sock, int n) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (got.size() < n) {
            byte[] chunk = Net.sockRecv(sock, n - got.size()).await();
            if (chunk.length == 0) {
                break;
            }
            got.writeBytes(chunk);
        }
        return got.toByteArray();
    }

    // test_sock_lowlevel: test_sock_client_ops (sock_connect, sock_sendall, sock_recv,
    // sock_recv_into)
    @Test
    void clientOpsCarryDataBothWays() throws IOException {
        EventLoop loop = newLoop();
        Pair p = pair(loop, NetOptions.defaults());
        String got = runTask(loop, () -> {
            Net.sockSendall(p.client(), b("GET / HTTP/1.0\r\n\r\n")).await();
            String request = s(recvExactly(p.server(), 18));
            Net.sockSendall(p.server(), b("HTTP/1.0 200 OK\r\n")).await();
            ByteBuffer into = ByteBuffer.allocate(64);
            int n = 0;
            while (n < 17) {
                n += Net.sockRecvInto(p.client(), into).await();
            }
            assertEquals(17, into.position(), "sockRecvInto moves the position");
            return request + "|" + new String(into.array(), 0, n, StandardCharsets.US_ASCII);
        });
        assertEquals("GET / HTTP/1.0\r\n\r\n|HTTP/1.0 200 OK\r\n", got);
        assertTrue(p.client().isConnected() && p.server().isConnected());
        assertEquals(p.client().localAddress(), p.server().remoteAddress());
        assertNoLoopErrors();
    }

    // test_sock_lowlevel: test_sock_accept
    @Test
    void acceptReturnsTheConnectionAndThePeersAddress() throws IOException {
        EventLoop loop = newLoop();
        RawSocket listener = RawSocket.listen(loop, ANY_LOCAL);
        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
        assertTrue(bound.getPort() > 0, "the real port: " + bound);
        Future<RawSocket.Accepted> accept = Net.sockAccept(listener);
        runFor(loop, Duration.ofMillis(20));
        assertFalse(accept.isDone(), "no connection yet");
        RawSocket client = RawSocket.stream(loop);
        run(loop, Net.sockConnect(client, bound));
        RawSocket.Accepted a = run(loop, accept);
        assertEquals(client.localAddress(), a.address());
        assertEquals(client.localAddress(), a.socket().remoteAddress());
        assertEquals(bound, a.socket().localAddress());
        assertTrue(a.socket().isConnected());
        assertSame(loop, a.socket().loop());
        assertNoLoopErrors();
    }

    // test_sock_lowlevel: test_sock_client_ops (an empty recv at the end)
    @Test
    void receiveAtEndOfStreamReturnsNothing() throws IOException {
        EventLoop loop = newLoop();
        Pair p = pair(loop, NetOptions.defaults());
        runTask(loop, () -> {
            Net.sockSendall(p.server(), b("bye")).await();
            p.server().shutdownOutput();
            assertEquals("bye", s(recvExactly(p.client(), 3)));
            assertEquals(0, Net.sockRecv(p.client(), 100).await().length, "end of stream");
            assertEquals(0, Net.sockRecvInto(p.client(), ByteBuffer.allocate(8)).await(),
                    "end of stream");
            // the half-closed side still sends
            Net.sockSendall(p.client(), b("ack")).await();
            assertEquals("ack", s(recvExactly(p.server(), 3)));
            p.client().close();
            assertEquals(0, Net.sockRecv(p.server(), 100).await().length, "the peer closed");
            return null;
        });
        assertNoLoopErrors();
    }

    @Test
    void zeroBytesAndAFullBufferAreAnsweredAtOnce() throws IOException {
        EventLoop loop = newLoop();
        Pair p = pair(loop, NetOptions.defaults());
        Future<byte[]> none = Net.sockRecv(p.client(), 0);
        assertTrue(none.isDone());
        assertEquals(0, none.result().length);
        ByteBuffer full = ByteBuffer.allocate(4);
        full.position(4);
        Future<Integer> noRoom = Net.sockRecvInto(p.client(), full);
        assertTrue(noRoom.isDone());
        assertEquals(0, noRoom.result());
        Future<Void> nothing = Net.sockSendall(p.client(), new byte[0]);
        assertTrue(nothing.isDone());
        assertNull(nothing.result());
    }

    // test_sock_lowlevel: test_cancel_sock_recv-style (test_sock_client_racing's cancelled recv)
    @Test
    void cancelledReceiveReadsNothingAndStopsWatching() throws IOException {
        EventLoop loop = newLoop();
        Pair p = pair(loop, NetOptions.defaults());
        Future<byte[]> first = Net.sockRecv(p.client(), 100);
        runFor(loop, Duration.ofMillis(20));
        assertFalse(first.isDone());
        assertTrue(first.cancel());
        runFor(loop, Duration.ofMillis(10));
        run(loop, Net.sockSendall(p.server(), b("abc")));
        long before = loop.stats().iterations();
        runFor(loop, Duration.ofMillis(100));
        long iterations = loop.stats().iterations() - before;
        assertTrue(iterations < 200, "data waits on a socket nobody receives from, and the loop "
                + "must not spin on its readiness: " + iterations + " iterations in 100 ms");
        byte[] got = run(loop, Net.sockRecv(p.client(), 100));
        assertEquals("abc", s(got), "the cancelled receive took nothing");
        assertNoLoopErrors();
    }

    @Test
    void aReceiveMayStartAgainRightAfterACancel() throws IOException {
        EventLoop loop = newLoop();
        Pair p = pair(loop, NetOptions.defaults());
        Future<byte[]> first = Net.sockRecv(p.client(), 100);
        first.cancel(); // its done-callback has not run yet
        Future<byte[]> second = Net.sockRecv(p.client(), 100);
        run(loop, Net.sockSendall(p.server(), b("xyz")));
        assertEquals("xyz", s(run(loop, second)));
        assertTrue(first.isCancelled());
        assertNoLoopErrors();
    }

    // test_sock_lowlevel: test_cancel_sock_accept
    @Test
    void cancelledAcceptLeavesTheListenerUsable() throws IOException {
        EventLoop loop = newLoop();
        RawSocket listener = RawSocket.listen(loop, ANY_LOCAL);
        Future<RawSocket.Accepted> first = Net.sockAccept(listener);
        runFor(loop, Duration.ofMillis(20));
        first.cancel();
        runFor(loop, Duration.ofMillis(10));
        RawSocket client = RawSocket.stream(loop);
        run(loop, Net.sockConnect(client, listener.localAddress()));
        runFor(loop, Duration.ofMillis(50)); // a pending connection nobody accepts: no spin
        RawSocket.Accepted a = run(loop, Net.sockAccept(listener));
        assertEquals(client.localAddress(), a.address());
        assertTrue(first.isCancelled());
        assertNoLoopErrors();
    }

    @Test
    void cancelledConnectLeavesTheSocketUnconnectedAndUsable() throws IOException {
        EventLoop loop = newLoop();
        RawSocket listener = RawSocket.listen(loop, ANY_LOCAL);
        RawSocket client = RawSocket.stream(loop);
        Future<Void> first = Net.sockConnect(client, listener.localAddress());
        first.cancel();
        runFor(loop, Duration.ofMillis(10));
        assertFalse(client.isConnected());
        assertNull(client.localAddress(), "the cancelled attempt's descriptor is gone");
        run(loop, Net.sockConnect(client, listener.localAddress()));
        assertTrue(client.isConnected());
        assertEquals(listener.localAddress(), client.remoteAddress());
        assertNoLoopErrors();
    }

    // test_sock_lowlevel: test_sock_client_racing (a send cancelled mid-way, then the rest)
    @Test
    void cancelledSendallKeepsItsProgressInTheBuffer() throws IOException {
        EventLoop loop = newLoop();
        Pair p = pair(loop, SMALL_BUFFERS);
        byte[] data = randomBytes(4 * 1024 * 1024, 3);
        ByteBuffer buf = ByteBuffer.wrap(data);
        Future<Void> send = Net.sockSendall(p.client(), buf);
        runFor(loop, Duration.ofMillis(50));
        assertFalse(send.isDone(), "4 MiB cannot fit in 64 KiB buffers");
        send.cancel();
        int sent = buf.position();
        assertTrue(sent > 0 && sent < data.length, "partial progress: " + sent);
        runFor(loop, Duration.ofMillis(10));
        Future<byte[]> all = loop.createTask(() -> recvExactly(p.server(), data.length));
        run(loop, Net.sockSendall(p.client(), buf)); // the rest, from where it stopped
        assertArrayEquals(data, run(loop, all));
        assertNoLoopErrors();
    }

    @Test
    void oneReceiveAndOneSendMayWaitAtATime() throws IOException {
        EventLoop loop = newLoop();
        Pair p = pair(loop, SMALL_BUFFERS);
        Future<byte[]> recv = Net.sockRecv(p.client(), 10);
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> Net.sockRecvInto(p.client(), ByteBuffer.allocate(10)));
        assertTrue(twice.getMessage().contains("sockRecvInto: a sockRecv is already waiting"),
                twice.getMessage());
        ByteBuffer big = ByteBuffer.wrap(new byte[4 * 1024 * 1024]);
        Future<Void> send = Net.sockSendall(p.client(), big); // a send may wait alongside
        runFor(loop, Duration.ofMillis(30));
        assertFalse(send.isDone());
        IllegalStateException twoSends = assertThrows(IllegalStateException.class,
                () -> Net.sockSendall(p.client(), b("x")));
        assertTrue(twoSends.getMessage().contains("a sockSendall is already waiting"),
                twoSends.getMessage());
        RawSocket listener = p.listener();
        Future<RawSocket.Accepted> accept = Net.sockAccept(listener);
        IllegalStateException twoAccepts = assertThrows(IllegalStateException.class,
                () -> Net.sockAccept(listener));
        assertTrue(twoAccepts.getMessage().contains("a sockAccept is already waiting"),
                twoAccepts.getMessage());
        accept.cancel();
        send.cancel();
        run(loop, Net.sockSendall(p.server(), b("hi")));
        assertEquals("hi", s(run(loop, recv)));
        assertNoLoopErrors();
    }

    // test_sock_lowlevel: test_huge_content, test_huge_content_recvinto
    @Test
    void sendallWaitsForASlowReader() throws IOException {
        EventLoop loop = newLoop();
        Pair p = pair(loop, SMALL_BUFFERS);
        byte[] data = randomBytes(3 * 1024 * 1024 + 7, 5);
        ByteBuffer src = ByteBuffer.wrap(data);
        Future<Void> send = Net.sockSendall(p.client(), src);
        runFor(loop, Duration.ofMillis(50));
        assertFalse(send.isDone(), "the kernel's buffers are full, sendall waits for the reader");
        int before = src.position();
        runFor(loop, Duration.ofMillis(50));
        assertEquals(before, src.position(), "no progress while nobody reads");
        byte[] got = runTask(loop, () -> {
            ByteBuffer all = ByteBuffer.allocate(data.length);
            ByteBuffer chunk = ByteBuffer.allocate(16 * 1024);
            while (all.hasRemaining()) {
                chunk.clear().limit(Math.min(chunk.capacity(), all.remaining()));
                int n = Net.sockRecvInto(p.server(), chunk).await();
                assertTrue(n > 0, "data until the end");
                all.put(chunk.flip());
                Async.sleep(Duration.ofMillis(1)); // slow
            }
            return all.array();
        });
        run(loop, send);
        assertFalse(src.hasRemaining());
        assertArrayEquals(data, got);
        assertNoLoopErrors();
    }

    // test_sock_lowlevel: test_sock_client_fail (connect refused)
    @Test
    void refusedConnectFailsTheFutureQuietly() throws IOException {
        EventLoop loop = newLoop();
        RawSocket gone = RawSocket.listen(loop, ANY_LOCAL);
        SocketAddress address = gone.localAddress();
        gone.close();
        RawSocket client = RawSocket.stream(loop);
        Throwable e;
        try (LogCapture log = new LogCapture("dev.pollen", Level.INFO)) {
            e = runExpectingFailure(loop, Net.sockConnect(client, address));
            assertEquals(List.of(), log.records, "a refused connect is routine: nothing logged at INFO or above");
        }
        assertInstanceOf(ConnectException.class, e);
        int port = ((InetSocketAddress) address).getPort();
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertFalse(client.isConnected());
        assertNoLoopErrors();
        // the same socket connects once something listens
        RawSocket listener = RawSocket.listen(loop, ANY_LOCAL);
        run(loop, Net.sockConnect(client, listener.localAddress()));
        assertTrue(client.isConnected());
    }

    // test_sock_lowlevel: test_sock_connect_resolve_using_socket_params (a host name)
    @Test
    void connectResolvesAHostName() throws IOException {
        EventLoop loop = newLoop();
        RawSocket listener = RawSocket.listen(loop, ANY_LOCAL);
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        String name = TestNames.register("raw-socket-host", TestNames.ip(LOCAL));
        RawSocket client = RawSocket.stream(loop);
        run(loop, Net.sockConnect(client, InetSocketAddress.createUnresolved(name, port)));
        assertEquals(listener.localAddress(), client.remoteAddress());
        RawSocket unknown = RawSocket.stream(loop);
        String nowhere = "raw-socket-unknown" + TestNames.SUFFIX; // never registered
        Throwable e = runExpectingFailure(loop, Net.sockConnect(unknown,
                InetSocketAddress.createUnresolved(nowhere, port)));
        assertInstanceOf(java.net.UnknownHostException.class, e);
        assertTrue(e.getMessage().contains(nowhere), e.getMessage());
        assertFalse(unknown.isConnected());
    }

    @Test
    void closeFailsAWaitingOperation() throws IOException {
        EventLoop loop = newLoop();
        Pair p = pair(loop, NetOptions.defaults());
        Future<byte[]> recv = Net.sockRecv(p.client(), 10);
        runFor(loop, Duration.ofMillis(10));
        p.client().close();
        Throwable e = runExpectingFailure(loop, recv);
        assertInstanceOf(SocketException.class, e);
        assertEquals("sockRecv: the socket was closed while it waited", e.getMessage());
        assertFalse(p.client().isOpen());
        p.client().close(); // twice: nothing
        assertEquals(0, run(loop, Net.sockRecv(p.server(), 10)).length, "the peer sees the end");
        assertNoLoopErrors();
    }

    @Test
    void closingTheLoopClosesItsRawSockets() throws IOException {
        EventLoop loop = newLoop();
        Pair p = pair(loop, NetOptions.defaults());
        RawSocket idle = RawSocket.stream(loop);
        loop.close();
        assertFalse(p.listener().isOpen());
        assertFalse(p.client().isOpen());
        assertFalse(p.server().isOpen());
        assertFalse(idle.isOpen());
    }

    @Test
    void badInputIsRefusedWithAClearMessage() throws IOException {
        EventLoop loop = newLoop();
        Pair p = pair(loop, NetOptions.defaults());
        RawSocket unconnected = RawSocket.stream(loop);
        RawSocket closed = RawSocket.stream(loop);
        closed.close();
        assertMessage(NullPointerException.class, "sock", () -> Net.sockRecv(null, 1));
        assertMessage(NullPointerException.class, "buf",
                () -> Net.sockRecvInto(p.client(), null));
        assertMessage(NullPointerException.class, "address",
                () -> Net.sockConnect(unconnected, null));
        assertMessage(IllegalArgumentException.class, "sockRecv: n must be >= 0, got -1",
                () -> Net.sockRecv(p.client(), -1));
        assertMessage(IllegalArgumentException.class, "sockRecvInto: buf is read-only",
                () -> Net.sockRecvInto(p.client(), ByteBuffer.allocate(4).asReadOnlyBuffer()));
        assertMessage(IllegalStateException.class, "sockRecv needs a connected stream socket; "
                + "this is a listening socket; accept a connection with Net.sockAccept",
                () -> Net.sockRecv(p.listener(), 1));
        assertMessage(IllegalStateException.class, "sockSendall needs a connected stream socket;"
                + " this is a stream socket that is not connected; connect it with "
                + "Net.sockConnect first", () -> Net.sockSendall(unconnected, b("x")));
        assertMessage(IllegalStateException.class, "sockAccept needs a listening socket",
                () -> Net.sockAccept(p.client()));
        assertMessage(IllegalStateException.class, "sockConnect: the socket is already "
                + "connected to", () -> Net.sockConnect(p.client(), p.listener().localAddress()));
        assertMessage(IllegalStateException.class, "sockConnect needs a stream socket",
                () -> Net.sockConnect(p.listener(), p.listener().localAddress()));
        assertMessage(IllegalStateException.class, "sockRecvfrom needs a datagram socket",
                () -> Net.sockRecvfrom(p.client(), 10));
        assertMessage(IllegalStateException.class, "sockRecv: the socket is closed",
                () -> Net.sockRecv(closed, 1));
        assertMessage(IllegalArgumentException.class, "is not resolved",
                () -> RawSocket.listen(loop, InetSocketAddress.createUnresolved("localhost", 0)));
        BindException inUse = assertThrows(BindException.class,
                () -> RawSocket.listen(loop, p.listener().localAddress()));
        assertTrue(inUse.getMessage().contains(
                Integer.toString(((InetSocketAddress) p.listener().localAddress()).getPort())),
                inUse.getMessage());
        // another thread, while the loop runs
        AtomicReference<Throwable> fromThread = new AtomicReference<>();
        runTask(loop, () -> {
            Thread t = new Thread(() -> {
                try {
                    Net.sockRecv(p.client(), 1);
                } catch (Throwable e) {
                    fromThread.set(e);
                }
            });
            t.start();
            t.join();
            return null;
        });
        assertInstanceOf(IllegalStateException.class, fromThread.get());
        assertTrue(fromThread.get().getMessage().contains("sockRecv must be called on the thread"),
                fromThread.get().getMessage());
        assertNoLoopErrors();
    }

    private static void assertMessage(Class<? extends Throwable> type, String text,
            org.junit.jupiter.api.function.Executable call) {
        Throwable e = assertThrows(type, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(text),
                "expected \"" + text + "\" in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    // test_sock_lowlevel: test_unix_sock_client_ops
    @Test
    void unixDomainClientOps() throws IOException {
        EventLoop loop = newLoop();
        assumeTrue(loop.poller().sockets().supportsUnixDomain(),
                "the " + loop.poller().name() + " poller has no Unix domain sockets: skipped");
        Path dir = Files.createTempDirectory("pollen-raw");
        Path path = dir.resolve("s.sock");
        try {
            RawSocket listener = RawSocket.listen(loop, UnixDomainSocketAddress.of(path));
            RawSocket client = RawSocket.stream(loop);
            Future<RawSocket.Accepted> accept = Net.sockAccept(listener);
            run(loop, Net.sockConnect(client, UnixDomainSocketAddress.of(path)));
            RawSocket server = run(loop, accept).socket();
            String got = runTask(loop, () -> {
                Net.sockSendall(client, b("over unix")).await();
                return s(recvExactly(server, 9));
            });
            assertEquals("over unix", got);
            listener.close();
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
        assertNoLoopErrors();
    }

    // test_sock_lowlevel: test_recvfrom, test_recvfrom_into, test_sendto_blocking
    @Test
    void datagramsBothWays() throws IOException {
        EventLoop loop = newLoop();
        RawSocket a = RawSocket.datagram(loop, ANY_LOCAL, null);
        RawSocket b = RawSocket.datagram(loop, ANY_LOCAL, null);
        Future<RawSocket.Datagram> waiting = Net.sockRecvfrom(b, 100);
        runFor(loop, Duration.ofMillis(10));
        assertFalse(waiting.isDone());
        assertEquals(5, run(loop, Net.sockSendto(a, ByteBuffer.wrap(b("hello")),
                b.localAddress())));
        RawSocket.Datagram d = run(loop, waiting);
        assertEquals("hello", s(d.data()));
        assertEquals(a.localAddress(), d.address());

        run(loop, Net.sockSendto(b, ByteBuffer.wrap(b("truncated!")), a.localAddress()));
        ByteBuffer into = ByteBuffer.allocate(4);
        RawSocket.Received r = run(loop, Net.sockRecvfromInto(a, into));
        assertEquals(4, r.bytes(), "a longer datagram is truncated");
        assertEquals("trun", new String(into.array(), StandardCharsets.US_ASCII));
        assertEquals(b.localAddress(), r.address());

        RawSocket connected = RawSocket.datagram(loop, ANY_LOCAL, b.localAddress());
        assertTrue(connected.isConnected());
        run(loop, Net.sockSendto(connected, ByteBuffer.wrap(b("no address")), null));
        assertEquals("no address", s(run(loop, Net.sockRecvfrom(b, 100)).data()));
        assertMessage(IllegalArgumentException.class, "give the destination address",
                () -> Net.sockSendto(a, ByteBuffer.wrap(b("x")), null));
        assertMessage(IllegalStateException.class, "sockRecv needs a connected stream socket",
                () -> Net.sockRecv(a, 1));
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ side by side with asyncio

    /** One case of {@code parity/asyncio_sock_cases.py}, in Java; runs in a task. */
    private interface SockCase {
        void run(EventLoop loop, List<String> trace) throws Exception;
    }

    /**
     * Runs {@code parity/asyncio_sock_cases.py} with CPython 3.13 and its Java twins here, on this
     * backend, and compares the traces case by case (docs/asyncio.md, "How parity is checked").
     */
    @Test
    void tracesAsAsyncio313Does() throws IOException {
        String python = Python313.find();
        assumeTrue(python != null, Python313.MISSING);
        Map<String, List<String>> expected = Python313.runCases(python,
                "/parity/asyncio_sock_cases.py");
        Map<String, SockCase> cases = sockCases();
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(cases.keySet()),
                "the two sides must have the same cases in the same order");
        for (Map.Entry<String, SockCase> c : cases.entrySet()) {
            EventLoop loop = newLoop();
            List<String> trace = new ArrayList<>();
            try {
                runTask(loop, () -> {
                    c.getValue().run(loop, trace);
                    return null;
                });
            } catch (RuntimeException e) {
                trace.add("escaped " + asyncioName(e));
            }
            assertEquals(String.join("\n", expected.get(c.getKey())), String.join("\n", trace),
                    "trace of case " + c.getKey() + " (expected: CPython 3.13's)");
        }
        assertNoLoopErrors();
    }

    private static void out(List<String> trace, Object... parts) {
        StringBuilder sb = new StringBuilder();
        for (Object o : parts) {
            sb.append(sb.length() > 0 ? " " : "").append(o instanceof Boolean b
                    ? (b ? "True" : "False") : String.valueOf(o));
        }
        trace.add(sb.toString());
    }

    private static String outcome(Future<?> f) {
        if (!f.isDone()) {
            return "pending";
        }
        if (f.isCancelled()) {
            return "cancelled";
        }
        return f.exception() != null ? "raised " + asyncioName(f.exception()) : "done";
    }

    /** An exception under the name asyncio's socket calls raise it with. */
    private static String asyncioName(Throwable e) {
        if (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e instanceof ConnectException ? "ConnectionRefusedError"
                : e.getClass().getSimpleName();
    }

    private Pair tracedPair(EventLoop loop, List<String> trace, NetOptions options)
            throws IOException {
        RawSocket listener = RawSocket.listen(loop, ANY_LOCAL, options);
        RawSocket client = RawSocket.stream(loop, options);
        Future<RawSocket.Accepted> accepting = Net.sockAccept(listener);
        Net.sockConnect(client, listener.localAddress()).await();
        RawSocket.Accepted a = accepting.await();
        out(trace, "accepted, address is the client's:", a.address().equals(client.localAddress()));
        return new Pair(listener, client, a.socket());
    }

    private static void closeAll(Pair p) {
        p.client().close();
        p.server().close();
        p.listener().close();
    }

    private Map<String, SockCase> sockCases() {
        Map<String, SockCase> cases = new LinkedHashMap<>();
        cases.put("sock_round_trip_and_end_of_stream", (loop, t) -> {
            Pair p = tracedPair(loop, t, NetOptions.defaults());
            Net.sockSendall(p.client(), b("ping")).await();
            out(t, "server got", s(recvExactly(p.server(), 4)));
            Net.sockSendall(p.server(), b("pong")).await();
            ByteBuffer buf = ByteBuffer.allocate(16);
            int n = Net.sockRecvInto(p.client(), buf).await();
            out(t, "client got", n, new String(buf.array(), 0, n, StandardCharsets.US_ASCII));
            p.server().shutdownOutput();
            out(t, "recv at end of stream", Net.sockRecv(p.client(), 10).await().length);
            out(t, "recv_into at end of stream",
                    Net.sockRecvInto(p.client(), ByteBuffer.allocate(4)).await());
            out(t, "recv of 0 bytes", Net.sockRecv(p.server(), 0).await().length);
            closeAll(p);
        });
        cases.put("sock_recv_cancelled_takes_nothing", (loop, t) -> {
            Pair p = tracedPair(loop, t, NetOptions.defaults());
            Future<byte[]> r = Net.sockRecv(p.client(), 10);
            Async.sleep(Duration.ofMillis(10));
            out(t, "recv before cancel", outcome(r));
            r.cancel();
            Async.sleep(Duration.ofMillis(10));
            out(t, "recv", outcome(r));
            Net.sockSendall(p.server(), b("abc")).await();
            out(t, "next recv", s(Net.sockRecv(p.client(), 10).await()));
            closeAll(p);
        });
        cases.put("sock_accept_cancelled_leaves_the_listener_usable", (loop, t) -> {
            RawSocket listener = RawSocket.listen(loop, ANY_LOCAL);
            Future<RawSocket.Accepted> a = Net.sockAccept(listener);
            Async.sleep(Duration.ofMillis(10));
            a.cancel();
            Async.sleep(Duration.ofMillis(10));
            out(t, "accept", outcome(a));
            RawSocket client = RawSocket.stream(loop);
            Net.sockConnect(client, listener.localAddress()).await();
            RawSocket.Accepted next = Net.sockAccept(listener).await();
            out(t, "next accept, address is the client's:",
                    next.address().equals(client.localAddress()));
            closeAll(new Pair(listener, client, next.socket()));
        });
        cases.put("sock_connect_refused", (loop, t) -> {
            RawSocket gone = RawSocket.listen(loop, ANY_LOCAL);
            SocketAddress address = gone.localAddress();
            gone.close();
            RawSocket client = RawSocket.stream(loop);
            try {
                Net.sockConnect(client, address).await();
                out(t, "connected");
            } catch (CompletionException e) {
                out(t, "connect raised", asyncioName(e));
            }
            client.close();
        });
        cases.put("sock_sendall_waits_for_a_slow_reader", (loop, t) -> {
            Pair p = tracedPair(loop, t, SMALL_BUFFERS);
            byte[] data = new byte[256 * 4 * 4096];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            Future<Void> send = Net.sockSendall(p.client(), ByteBuffer.wrap(data));
            Async.sleep(Duration.ofMillis(50));
            out(t, "sendall while nobody reads", outcome(send));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            while (got.size() < data.length) {
                got.writeBytes(Net.sockRecv(p.server(), 16 * 1024).await());
                Async.yieldNow();
            }
            send.await();
            out(t, "sendall", outcome(send), "received", got.size(), "intact",
                    Arrays.equals(data, got.toByteArray()));
            closeAll(p);
        });
        return cases;
    }
}
