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

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.Future;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.NetTestHooks;
import dev.pollen.net.Protocol;
import dev.pollen.net.Server;
import dev.pollen.net.Transport;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.ResourceExhaustedException;
import dev.pollen.spi.SocketOptions;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The transport/protocol contract on a backend: TCP and Unix stream connections and servers,
 * flow control, half-close, close versus abort, errors, accept back-off and many connections on
 * one loop.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class TransportContract extends NetFixture {

    private static final int MIB = 1 << 20;

    // ------------------------------------------------------------------ echo and writing

    @ParameterizedTest(name = "echo of {0} bytes")
    @ValueSource(ints = {1, 100, 65_537, MIB, 16 * MIB})
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void echoesFromOneByteTo16MiB(int size) {
        EventLoop loop = newLoop();
        Server server = server(loop, Echo::new);
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        byte[] data = randomBytes(size, size);
        c.transport().write(ByteBuffer.wrap(data));
        c.transport().writeEof();
        // The echo server's protocol returns false from eofReceived: it flushes, then closes.
        runUntil(loop, () -> c.protocol().lost, "the echo of " + size + " bytes");
        assertArrayEquals(data, c.protocol().bytes());
        assertTrue(c.protocol().eof);
        assertNull(c.protocol().lostCause);
        assertEquals(1, c.protocol().lostCalls);
        assertNoLoopErrors();
    }

    @Test
    void bytesLeftAfterAFullReadAreDeliveredWithoutMoreArriving() {
        // A peer with exactly one 64 KiB read buffer in flight at a time makes the transport stop
        // reading again after a full read (StreamTransport backs off when that finds nothing).
        // What such a read then leaves in the kernel must still be delivered, with nothing more
        // arriving: the tail below is followed only by the end of stream.
        EventLoop loop = newLoop();
        Server server = server(loop, Echo::new);
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        byte[] block = randomBytes(64 * 1024, 11);
        long expected = 0;
        for (int i = 0; i < 40; i++) {
            c.transport().write(ByteBuffer.wrap(block));
            expected += block.length;
            long want = expected;
            runUntil(loop, () -> c.protocol().received.size() == want, "echo " + i);
        }
        byte[] tail = randomBytes(3 * 64 * 1024 + 1, 12);
        c.transport().write(ByteBuffer.wrap(tail));
        c.transport().writeEof();
        runUntil(loop, () -> c.protocol().lost, "the echo of the tail");
        byte[] got = c.protocol().bytes();
        assertEquals(expected + tail.length, got.length);
        assertArrayEquals(tail, java.util.Arrays.copyOfRange(got, (int) expected, got.length));
        assertNoLoopErrors();
    }

    @Test
    void gatheringWriteSendsBuffersInOrder() {
        EventLoop loop = newLoop();
        Server server = server(loop, Echo::new);
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        byte[] big = randomBytes(300_000, 7);
        c.transport().write(ascii("a"), ByteBuffer.wrap(big), ascii("bc"),
                ByteBuffer.allocateDirect(0), directAscii("def"));
        c.transport().writeEof();
        runUntil(loop, () -> c.protocol().lost, "the echo");
        byte[] got = c.protocol().bytes();
        assertEquals(1 + big.length + 2 + 3, got.length);
        assertEquals('a', got[0]);
        assertArrayEquals(big, java.util.Arrays.copyOfRange(got, 1, 1 + big.length));
        assertEquals("bcdef", new String(got, 1 + big.length, 5, StandardCharsets.US_ASCII));
        assertNoLoopErrors();
    }

    @Test
    void writeConsumesTheCallersBufferSoItCanBeReused() {
        EventLoop loop = newLoop();
        Recorder[] accepted = new Recorder[1];
        Connection<Recorder> c = connectToPausedReader(loop, accepted);
        ByteBuffer reused = ByteBuffer.allocate(64 * 1024);
        long expected = 0;
        for (int i = 0; i < 64; i++) { // 4 MiB: more than the kernel buffers hold
            reused.clear();
            while (reused.hasRemaining()) {
                reused.put((byte) i);
            }
            reused.flip();
            c.transport().write(reused);
            assertFalse(reused.hasRemaining(), "write must consume the buffer");
            expected += reused.capacity();
        }
        assertTrue(c.transport().writeBufferSize() > 0, "some bytes should be queued");
        accepted[0].transport.resumeReading();
        long total = expected;
        runUntil(loop, () -> accepted[0].received.size() == total, "all bytes");
        byte[] got = accepted[0].bytes();
        for (int i = 0; i < got.length; i++) {
            if (got[i] != (byte) (i / (64 * 1024))) {
                throw new AssertionError("byte " + i + " is " + got[i] + ": a queued copy was "
                        + "overwritten by the caller's reuse of its buffer");
            }
        }
        assertNoLoopErrors();
    }

    /**
     * Connects a client to a new server, both over {@link #SMALL_BUFFERS}, waits until the server
     * has accepted, stores the server side's recorder in {@code accepted[0]} and pauses its
     * reading (a slow reader), so that the client's writes pile up in its buffer.
     */
    private Connection<Recorder> connectToPausedReader(EventLoop loop, Recorder[] accepted) {
        Server server = server(loop, () -> accepted[0] = new Recorder(), SMALL_BUFFERS);
        Connection<Recorder> c = connect(loop, Recorder::new, port(server), SMALL_BUFFERS);
        runUntil(loop, () -> accepted[0] != null && accepted[0].transport != null, "accept");
        accepted[0].transport.pauseReading();
        return c;
    }

    // ------------------------------------------------------------------ half-close

    @Test
    void halfCloseFromClientLetsServerStillAnswer() {
        EventLoop loop = newLoop();
        Server server = server(loop, () -> new AnswerAtEof((t, got) -> {
            // The client is done sending; this side still writes.
            t.write(ascii("got:" + got));
            t.close();
        }));
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        c.transport().write(ascii("question"));
        c.transport().writeEof();
        assertTrue(c.transport().canWriteEof());
        assertThrows(IllegalStateException.class, () -> c.transport().write(ascii("late")));
        runUntil(loop, () -> c.protocol().lost, "the answer and the close");
        assertEquals("got:question", new String(c.protocol().bytes(), StandardCharsets.US_ASCII));
        assertTrue(c.protocol().eof);
        assertNoLoopErrors();
    }

    @Test
    void halfCloseFromServerLetsClientStillAnswer() {
        EventLoop loop = newLoop();
        Recorder[] accepted = new Recorder[1];
        Server server = server(loop, () -> accepted[0] = new Recorder() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                t.write(ascii("hello"));
                t.writeEof();
                t.writeEof(); // idempotent
            }
        });
        Recorder client = new Recorder() {
            @Override
            public boolean eofReceived() {
                super.eofReceived();
                transport.write(ascii("reply:" + new String(bytes(), StandardCharsets.US_ASCII)));
                transport.close();
                return true; // keep open: the reply still has to go out
            }
        };
        Connection<Recorder> c = connect(loop, () -> client, port(server));
        runUntil(loop, () -> c.protocol().lost && accepted[0] != null && accepted[0].eof,
                "the reply");
        assertEquals("reply:hello", new String(accepted[0].bytes(), StandardCharsets.US_ASCII));
        assertNoLoopErrors();
    }

    @Test
    void eofReceivedReturningFalseClosesTheTransport() {
        EventLoop loop = newLoop();
        Recorder[] accepted = new Recorder[1];
        Server server = server(loop, () -> accepted[0] = new Recorder());
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        c.transport().writeEof();
        runUntil(loop, () -> accepted[0] != null && accepted[0].lost, "the server side to close");
        assertTrue(accepted[0].eof);
        assertTrue(accepted[0].transport.isClosing());
        assertNull(accepted[0].lostCause);
        runUntil(loop, () -> c.protocol().lost, "the client to see the close");
        assertEquals(1, accepted[0].lostCalls);
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ close and abort

    @Test
    void closeFlushesEverythingQueuedThenWritesThrow() {
        EventLoop loop = newLoop();
        Recorder[] accepted = new Recorder[1];
        Connection<Recorder> c = connectToPausedReader(loop, accepted);
        byte[] data = randomBytes(4 * MIB, 11);
        c.transport().write(ByteBuffer.wrap(data));
        assertTrue(c.transport().writeBufferSize() > 0, "4 MiB cannot all fit in the kernel");
        c.transport().close();
        assertTrue(c.transport().isClosing());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> c.transport().write(ascii("x")));
        assertTrue(e.getMessage().contains("close()"), e.getMessage());
        c.transport().close(); // idempotent
        assertFalse(c.protocol().lost, "connectionLost must wait for the flush");
        accepted[0].transport.resumeReading();
        runUntil(loop, () -> accepted[0].lost, "the server to read everything and the EOF");
        assertArrayEquals(data, accepted[0].bytes());
        assertTrue(accepted[0].eof);
        runUntil(loop, () -> c.protocol().lost, "the client's connectionLost");
        assertNull(c.protocol().lostCause);
        assertEquals(0, c.transport().writeBufferSize());
        assertNoLoopErrors();
    }

    @Test
    void abortDiscardsTheQueueAndResetsThePeer() {
        EventLoop loop = newLoop();
        Recorder[] accepted = new Recorder[1];
        Connection<Recorder> c = connectToPausedReader(loop, accepted);
        c.transport().write(ByteBuffer.wrap(randomBytes(4 * MIB, 3)));
        c.transport().abort();
        assertEquals(0, c.transport().writeBufferSize());
        assertThrows(IllegalStateException.class, () -> c.transport().write(ascii("x")));
        runUntil(loop, () -> c.protocol().lost, "connectionLost after abort");
        assertNull(c.protocol().lostCause, "abort is a clean close for the side that aborts");
        accepted[0].transport.resumeReading();
        runUntil(loop, () -> accepted[0].lost, "the peer to notice");
        assertTrue(accepted[0].received.size() < 4 * MIB, "the queue must have been dropped");
        assertInstanceOf(IOException.class, accepted[0].lostCause,
                "the peer must see a reset, not a clean end-of-stream");
        assertFalse(accepted[0].eof);
        assertNoLoopErrors();
    }

    @Test
    void peerResetMidWriteReportsTheErrorAndDropsLaterWrites() {
        EventLoop loop = newLoop();
        Recorder[] accepted = new Recorder[1];
        Connection<Recorder> c = connectToPausedReader(loop, accepted);
        c.transport().write(ByteBuffer.wrap(randomBytes(8 * MIB, 5)));
        assertTrue(c.transport().writeBufferSize() > 0);
        accepted[0].transport.abort(); // RST while the client still has megabytes to send
        runUntil(loop, () -> c.protocol().lost, "the writer to see the reset");
        assertInstanceOf(IOException.class, c.protocol().lostCause);
        assertEquals(1, c.protocol().lostCalls);
        assertTrue(c.transport().isClosing());
        assertEquals(0, c.transport().writeBufferSize());
        c.transport().write(ascii("dropped quietly")); // asyncio: no exception after a failure
        c.transport().close();
        c.transport().abort();
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ flow control

    @Test
    void slowReaderPausesAndResumesAFastWriter() {
        EventLoop loop = newLoop();
        Recorder[] accepted = new Recorder[1];
        Connection<Recorder> c = connectToPausedReader(loop, accepted);
        Transport t = c.transport();
        assertEquals(NetOptions.DEFAULT_HIGH_WATER, t.writeBufferHighWater());
        assertEquals(NetOptions.DEFAULT_LOW_WATER, t.writeBufferLowWater());
        byte[] chunk = randomBytes(16 * 1024, 1);
        int writes = 0;
        while (c.protocol().pauses == 0) { // the fast writer, honouring pauseWriting
            t.write(ByteBuffer.wrap(chunk));
            writes++;
            if (t.writeBufferSize() == 0) {
                runFor(loop, Duration.ofMillis(1)); // let the kernel buffers fill
            }
            assertTrue(writes < 100_000, "pauseWriting never came");
        }
        assertEquals(1, c.protocol().pauses);
        assertTrue(t.writeBufferSize() > t.writeBufferHighWater());
        assertTrue(t.writeBufferSize() <= t.writeBufferHighWater() + chunk.length);
        assertEquals(0, c.protocol().resumes);
        long sent = (long) writes * chunk.length;
        accepted[0].transport.resumeReading();
        runUntil(loop, () -> c.protocol().resumes == 1, "resumeWriting");
        assertTrue(t.writeBufferSize() <= t.writeBufferLowWater());
        runUntil(loop, () -> accepted[0].received.size() == sent, "all the data");
        assertEquals(1, c.protocol().pauses);
        assertNoLoopErrors();
    }

    @Test
    void writeBufferLimitsAreValidatedAndApplyAtOnce() {
        EventLoop loop = newLoop();
        Recorder[] accepted = new Recorder[1];
        Connection<Recorder> c = connectToPausedReader(loop, accepted);
        Transport t = c.transport();
        assertThrows(IllegalArgumentException.class, () -> t.setWriteBufferLimits(10, 20));
        assertThrows(IllegalArgumentException.class, () -> t.setWriteBufferLimits(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> t.setWriteBufferLimits(10, -1));
        t.write(ByteBuffer.wrap(randomBytes(8 * MIB, 2)));
        long queued = t.writeBufferSize();
        assertTrue(queued > 0);
        assertEquals(1, c.protocol().pauses);
        t.setWriteBufferLimits(Integer.MAX_VALUE, Integer.MAX_VALUE); // now far under the mark
        assertEquals(1, c.protocol().resumes, "raising the marks resumes at once");
        t.setWriteBufferLimits(0, 0); // high 0: paused while anything is buffered
        assertEquals(2, c.protocol().pauses);
        assertEquals(0, t.writeBufferHighWater());
        t.abort();
        assertNoLoopErrors();
    }

    @Test
    void pauseReadingStopsDataUntilResumed() {
        EventLoop loop = newLoop();
        Recorder[] accepted = new Recorder[1];
        Server server = server(loop, () -> accepted[0] = new Recorder());
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        runUntil(loop, () -> accepted[0] != null && accepted[0].transport != null, "accept");
        c.transport().pauseReading();
        c.transport().pauseReading(); // idempotent
        assertFalse(c.transport().isReading());
        accepted[0].transport.write(ascii("ping"));
        runFor(loop, Duration.ofMillis(50));
        assertEquals(0, c.protocol().received.size(), "data delivered while paused");
        c.transport().resumeReading();
        assertTrue(c.transport().isReading());
        runUntil(loop, () -> c.protocol().received.size() == 4, "the data after resume");
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ errors

    @Test
    void connectionRefusedFailsTheFutureNamingTheAddress() {
        EventLoop loop = newLoop();
        Server server = server(loop, Recorder::new);
        int port = port(server);
        server.close();
        Throwable e = runExpectingFailure(loop,
                Net.createConnection(loop, Recorder::new, LOCAL, port));
        assertInstanceOf(ConnectException.class, e);
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertEquals(e.getMessage().indexOf("127.0.0.1:" + port),
                e.getMessage().lastIndexOf("127.0.0.1:" + port), "the address is named once: " + e.getMessage());
        assertNoLoopErrors();
    }

    @Test
    void portAlreadyInUseIsABindErrorNamingTheAddress() {
        EventLoop loop = newLoop();
        Server first = server(loop, Recorder::new);
        int port = port(first);
        Throwable e = runExpectingFailure(loop,
                Net.createServer(loop, Recorder::new, LOCAL, port));
        assertInstanceOf(BindException.class, e);
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertEquals(e.getMessage().indexOf("127.0.0.1:" + port),
                e.getMessage().lastIndexOf("127.0.0.1:" + port), "the address is named once: " + e.getMessage());
        assertTrue(first.isServing());
        first.close();
        assertNoLoopErrors();
    }

    @Test
    void badArgumentsAreRejectedWithClearMessages() {
        EventLoop loop = newLoop();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Net.createConnection(loop, Recorder::new, LOCAL, 0));
        assertTrue(e.getMessage().contains("port"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Net.createServer(loop, Recorder::new, LOCAL, 70_000));
        assertTrue(e.getMessage().contains("70000"), e.getMessage());
        assertThrows(NullPointerException.class,
                () -> Net.createConnection(loop, Recorder::new, null, 80));
        e = assertThrows(IllegalArgumentException.class,
                () -> NetOptions.builder().backlog(0).build());
        assertTrue(e.getMessage().contains("backlog"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NetOptions.builder().writeBufferLimits(10, 11).build());
        assertTrue(e.getMessage().contains("low-water"), e.getMessage());
    }

    // A deliberate deviation (docs/asyncio.md): asyncio 3.13 only logs a connection_made that
    // raised and keeps the connection; Pollen reports it and aborts the connection, on both ends.
    @Test
    void aThrowingConnectionMadeIsReportedAndItsConnectionAborted() {
        EventLoop loop = newLoop();
        RuntimeException boom = new IllegalStateException("setup failed");
        Recorder[] accepted = new Recorder[1];
        Server server = server(loop, () -> accepted[0] = new Recorder() {
            @Override
            public void connectionMade(Transport t) {
                throw boom;
            }
        });
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        c.transport().write(ascii("x"));
        runUntil(loop, () -> c.protocol().lost, "the client to see the abort");
        assertSame(boom, accepted[0].lostCause,
                "connectionLost follows, with what connectionMade threw");
        assertEquals(0, accepted[0].received.size(),
                "no data reaches a protocol whose connectionMade failed");
        assertEquals(0, server.connectionCount());
        assertEquals(1, loopErrors.size());
        assertTrue(loopErrors.get(0).message().contains("connectionMade"),
                loopErrors.get(0).message());

        // The client side: the connection's future fails with the exception.
        loopErrors.clear();
        RuntimeException clientBoom = new IllegalStateException("client setup failed");
        Server echo = server(loop, Recorder::new);
        Throwable failed = runExpectingFailure(loop, Net.createConnection(loop,
                () -> new Recorder() {
                    @Override
                    public void connectionMade(Transport t) {
                        throw clientBoom;
                    }
                }, LOCAL, port(echo)));
        assertSame(clientBoom, failed);
        runUntil(loop, () -> echo.connectionCount() == 0, "the server to see the abort");
    }

    @Test
    void aThrowingProtocolIsReportedAndItsConnectionAborted() {
        EventLoop loop = newLoop();
        RuntimeException boom = new IllegalStateException("boom");
        Throwable[] lostWith = new Throwable[1];
        Server server = server(loop, () -> new Protocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                throw boom;
            }

            @Override
            public void connectionLost(Throwable cause) {
                lostWith[0] = cause;
            }
        });
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        c.transport().write(ascii("x"));
        runUntil(loop, () -> c.protocol().lost, "the client to see the abort");
        assertSame(boom, lostWith[0]);
        assertEquals(1, loopErrors.size());
        assertTrue(loopErrors.get(0).message().contains("dataReceived"),
                loopErrors.get(0).message());
        assertEquals(0, server.connectionCount());
    }

    @Test
    void transportMethodsRefuseOtherThreadsWhileTheLoopRuns() throws Exception {
        EventLoop loop = newLoop();
        Server server = server(loop, Recorder::new);
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        AtomicReference<Throwable> fromOtherThread = new AtomicReference<>();
        Future<Void> done = loop.createFuture();
        loop.callSoon(() -> {
            Thread other = new Thread(() -> {
                try {
                    c.transport().write(ascii("x"));
                } catch (Throwable e) {
                    fromOtherThread.set(e);
                }
                loop.callSoonThreadsafe(() -> done.setResult(null));
            });
            other.start();
        });
        run(loop, done);
        assertInstanceOf(IllegalStateException.class, fromOtherThread.get());
        assertTrue(fromOtherThread.get().getMessage().contains("Transport.write"));
    }

    // ------------------------------------------------------------------ addresses and resolution

    @Test
    void addressesOfBothEndsMatch() {
        EventLoop loop = newLoop();
        Recorder[] accepted = new Recorder[1];
        Server server = server(loop, () -> accepted[0] = new Recorder());
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        runUntil(loop, () -> accepted[0] != null && accepted[0].transport != null, "accept");
        assertEquals(server.sockets().get(0), c.transport().peerAddress());
        assertEquals(c.transport().localAddress(), accepted[0].transport.peerAddress());
        assertEquals(c.transport().peerAddress(), accepted[0].transport.localAddress());
        assertSame(c.protocol(), c.transport().getProtocol());
        assertSame(loop, c.transport().loop());
    }

    @Test
    void ipv6LoopbackEchoes() {
        assumeTrue(hasIpv6Loopback(), "this machine has no IPv6 loopback (::1): skipped");
        EventLoop loop = newLoop();
        Server server = run(loop, Net.createServer(loop, Echo::new, "::1", 0));
        InetSocketAddress bound = (InetSocketAddress) server.sockets().get(0);
        assertInstanceOf(Inet6Address.class, bound.getAddress());
        Connection<Recorder> c = run(loop, Net.createConnection(loop, Recorder::new, "::1",
                bound.getPort()));
        c.transport().write(ascii("over ipv6"));
        c.transport().writeEof();
        runUntil(loop, () -> c.protocol().lost, "the echo");
        assertEquals("over ipv6", new String(c.protocol().bytes(), StandardCharsets.US_ASCII));
        assertNoLoopErrors();
    }

    @Test
    void hostNamesAreResolvedOffTheLoopThread() throws Exception {
        EventLoop loop = newLoop();
        Server server = server(loop, Echo::new);
        // "localhost" may resolve to ::1 first, which refuses this port: the connector then tries
        // the next address.
        Future<Connection<Recorder>> f = Net.createConnection(loop, Recorder::new, "localhost",
                port(server));
        assertFalse(f.isDone(), "a host name must not be resolved synchronously on the loop");
        Connection<Recorder> c = run(loop, f);
        assertEquals(InetAddress.getByName(LOCAL),
                ((InetSocketAddress) c.transport().peerAddress()).getAddress());
        assertNoLoopErrors();
    }

    @Test
    void serverOnTheWildcardAddressAcceptsLoopback() {
        EventLoop loop = newLoop();
        Server server = run(loop, Net.createServer(loop, Echo::new, null, 0));
        assertTrue(((InetSocketAddress) server.sockets().get(0)).getAddress().isAnyLocalAddress());
        // port(): the real port of a port-0 server, with no cast, and still known once closed
        int bound = ((InetSocketAddress) server.sockets().get(0)).getPort();
        assertTrue(bound > 0);
        assertEquals(bound, server.port());
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        c.transport().write(ascii("any"));
        c.transport().writeEof();
        runUntil(loop, () -> c.protocol().lost, "the echo");
        assertEquals("any", new String(c.protocol().bytes(), StandardCharsets.US_ASCII));
        server.close();
        assertEquals(bound, server.port());
    }

    // ------------------------------------------------------------------ connect timeout, cancel

    @Test
    void connectTimeoutFailsWithSocketTimeoutException() throws IOException {
        EventLoop loop = newLoop();
        // A listener nobody accepts from, with a backlog of 1: once its queue is full the kernel
        // drops further SYNs, so a connect stays pending (loopback only, no unroutable address).
        ListenSocket stuck = loop.poller().sockets().listen(new InetSocketAddress(LOCAL, 0), 1,
                SocketOptions.none());
        register(stuck);
        int port = ((InetSocketAddress) stuck.localAddress()).getPort();
        List<Future<Connection<Recorder>>> fillers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            fillers.add(Net.createConnection(loop, Recorder::new, LOCAL, port));
        }
        runFor(loop, Duration.ofMillis(100));
        NetOptions timeout = NetOptions.builder().connectTimeout(Duration.ofMillis(200)).build();
        long start = System.nanoTime();
        Throwable e = runExpectingFailure(loop,
                Net.createConnection(loop, Recorder::new, LOCAL, port, timeout));
        assertInstanceOf(SocketTimeoutException.class, e);
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200),
                "the timeout fired early");
        for (Future<Connection<Recorder>> f : fillers) {
            f.cancel();
            if (f.isDone() && !f.isCancelled() && f.exception() == null) {
                f.result().transport().abort();
            }
        }
        runFor(loop, Duration.ofMillis(10));
    }

    // ------------------------------------------------------------------ servers

    @Test
    void serverCloseStopsAcceptingAndWaitClosedWaitsForClients() {
        EventLoop loop = newLoop();
        Server server = server(loop, Recorder::new);
        int port = port(server);
        List<Connection<Recorder>> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(connect(loop, Recorder::new, port));
        }
        runUntil(loop, () -> server.connectionCount() == 3, "3 connections");
        server.close();
        server.close(); // idempotent
        assertFalse(server.isServing());
        assertTrue(server.sockets().isEmpty());
        Future<Void> closed = server.waitClosed();
        runFor(loop, Duration.ofMillis(20));
        assertFalse(closed.isDone(), "waitClosed must wait for the connections");
        for (Connection<Recorder> c : clients) {
            assertFalse(c.protocol().lost, "close() must leave connections open");
        }
        Throwable refused = runExpectingFailure(loop,
                Net.createConnection(loop, Recorder::new, LOCAL, port));
        assertInstanceOf(ConnectException.class, refused);
        server.closeClients();
        run(loop, closed);
        assertEquals(0, server.connectionCount());
        runUntil(loop, () -> clients.stream().allMatch(c -> c.protocol().lost), "clients closed");
        for (Connection<Recorder> c : clients) {
            assertTrue(c.protocol().eof, "closeClients is graceful: the clients see EOF");
        }
        assertTrue(server.waitClosed().isDone());
        assertNoLoopErrors();
    }

    @Test
    void abortClientsResetsConnections() {
        EventLoop loop = newLoop();
        Server server = server(loop, Recorder::new);
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        runUntil(loop, () -> server.connectionCount() == 1, "accept");
        server.abortClients();
        runUntil(loop, () -> c.protocol().lost, "the client to see the reset");
        assertInstanceOf(IOException.class, c.protocol().lostCause);
        server.close();
        run(loop, server.waitClosed());
    }

    @Test
    void acceptBacksOffWhenOutOfDescriptorsAndReportsAtMostOnceASecondWithACount() {
        EventLoop loop = newLoop();
        Server server = server(loop, Recorder::new);
        // 11 failures 100 ms apart (timers never fire early): the last comes at least 1 s after
        // the first, so it is reported again, with the count of the ten before it.
        NetTestHooks.injectAcceptFailures(server, 11);
        List<Long> reportedAt = new ArrayList<>();
        loop.setExceptionHandler((l, ctx) -> {
            loopErrors.add(ctx);
            reportedAt.add(System.nanoTime());
        });
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        runUntil(loop, () -> server.connectionCount() == 1, "the accept after the back-offs");
        assertEquals(11, NetTestHooks.acceptBackoffs(server));
        assertEquals(2, loopErrors.size(), "the first failure, then one report per second: "
                + loopErrors);
        for (ExceptionContext ctx : loopErrors) {
            assertInstanceOf(ResourceExhaustedException.class, ctx.exception());
            assertTrue(ctx.message().contains("127.0.0.1:" + port(server)), ctx.message());
            assertSame(server, ctx.source());
        }
        // "failed N time(s) in the last M ms": 10 when the retries came every 100 ms, fewer
        // when a loaded machine delayed them (the one-second gap then ends sooner)
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("failed (\\d+) time\\(s\\) "
                + "in the last (\\d+) ms").matcher(loopErrors.get(1).message());
        assertTrue(m.find(), loopErrors.get(1).message());
        int count = Integer.parseInt(m.group(1));
        assertTrue(count >= 1 && count <= 10, loopErrors.get(1).message());
        assertTrue(Long.parseLong(m.group(2)) >= 1000, loopErrors.get(1).message());
        assertTrue(reportedAt.get(1) - reportedAt.get(0) >= TimeUnit.MILLISECONDS.toNanos(1000),
                "reported again within a second, or accept retried without backing off");
        assertFalse(c.protocol().lost);
    }

    @Test
    void aThousandConcurrentConnectionsOnOneLoop() {
        EventLoop loop = newLoop();
        int n = 1000;
        Server server = server(loop, Echo::new, NetOptions.builder().backlog(n).build());
        int port = port(server);
        List<Future<Connection<Recorder>>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            futures.add(Net.createConnection(loop, Recorder::new, LOCAL, port));
        }
        List<Connection<Recorder>> conns = new ArrayList<>(n);
        for (Future<Connection<Recorder>> f : futures) {
            conns.add(run(loop, f));
        }
        runUntil(loop, () -> server.connectionCount() == n, n + " accepted connections");
        for (int i = 0; i < n; i++) {
            Transport t = conns.get(i).transport();
            t.write(ascii("message " + i));
            t.writeEof();
        }
        runUntil(loop, () -> conns.stream().allMatch(c -> c.protocol().lost), "all echoes");
        for (int i = 0; i < n; i++) {
            assertEquals("message " + i, new String(conns.get(i).protocol().bytes(),
                    StandardCharsets.US_ASCII));
        }
        runUntil(loop, () -> server.connectionCount() == 0, "the server side to close");
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ Unix domain sockets

    @Test
    void unixDomainServerAndConnectionEcho() throws IOException {
        EventLoop loop = newLoop();
        assumeTrue(loop.poller().sockets().supportsUnixDomain(),
                "the " + loop.poller().name() + " poller has no Unix domain sockets: skipped");
        Path dir = Files.createTempDirectory("pollen-unix");
        Path path = dir.resolve("echo.sock");
        try {
            Server server = run(loop, Net.createUnixServer(loop, Echo::new, path));
            assertTrue(Files.exists(path));
            IllegalStateException noPort = assertThrows(IllegalStateException.class, server::port);
            assertTrue(noPort.getMessage().contains("Unix-socket server has no port"),
                    noPort.getMessage());
            Connection<Recorder> c = run(loop, Net.createUnixConnection(loop, Recorder::new, path));
            byte[] data = randomBytes(MIB, 9);
            c.transport().write(ByteBuffer.wrap(data));
            c.transport().writeEof();
            runUntil(loop, () -> c.protocol().lost, "the echo");
            assertArrayEquals(data, c.protocol().bytes());
            server.close();
            assertFalse(Files.exists(path), "closing the server removes its socket file");
            // A stale socket file (left by a crashed server) does not block a new server.
            loop.poller().sockets().listen(java.net.UnixDomainSocketAddress.of(path), 1,
                    SocketOptions.none()).close();
            assertTrue(Files.exists(path), "closing a raw listen socket leaves its file");
            Server s2 = run(loop, Net.createUnixServer(loop, Echo::new, path));
            assertTrue(s2.isServing());
            s2.close();
            Throwable e = runExpectingFailure(loop,
                    Net.createUnixConnection(loop, Recorder::new, path));
            assertInstanceOf(IOException.class, e);
            assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ helpers

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    static ByteBuffer directAscii(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }
}
