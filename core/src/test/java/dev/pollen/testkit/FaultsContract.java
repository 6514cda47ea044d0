package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.Future;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Protocol;
import dev.pollen.net.Server;
import dev.pollen.net.StreamConnection;
import dev.pollen.net.Transport;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults a proxy meets in front of broken or hostile peers, on a backend: a peer that resets in
 * the middle of a write, half-closes in either direction, or connects and sends nothing (idle
 * timeouts); a socket closed while registered (its descriptor number reused in the same poll);
 * an exception in every kind of callback; and a loop closed with tasks, timers and connections
 * pending, which must leave no descriptor open. EMFILE on accept, which needs a child JVM with
 * a low descriptor limit, is tested the way a user meets it: the examples' {@code EmfileIT} runs
 * {@code java -jar pollen-examples.jar echo} under {@code ulimit -n} on every poller.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class FaultsContract extends NetFixture {

    private static final int MIB = 1 << 20;

    // ------------------------------------------------------------------ peer reset mid-write

    @Test
    void aStreamWriterBlockedInDrainGetsThePeersResetAsAnIOException() {
        EventLoop loop = newLoop();
        Transport[] clientSide = new Transport[1];
        Future<Throwable> serverSaw = loop.createFuture();
        Server server = runTask(loop, () -> Net.startServer((reader, writer) -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                for (int i = 0; i < 10_000; i++) { // 640 MiB: far more than any kernel buffer
                    writer.write(chunk);
                    writer.drain();
                }
                serverSaw.setResult(null);
            } catch (IOException e) {
                serverSaw.setResult(e);
            }
        }, LOCAL, 0, SMALL_BUFFERS));
        Connection<Recorder> c = connect(loop, () -> new Recorder() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                clientSide[0] = t;
                t.pauseReading(); // never reads: the server's writes back up into drain()
            }
        }, port(server), SMALL_BUFFERS);
        runFor(loop, Duration.ofMillis(50));
        assertFalse(serverSaw.isDone(), "the server must be stuck in drain()");
        c.transport().abort(); // RST in the middle of the server's write
        Throwable e = run(loop, serverSaw);
        assertInstanceOf(IOException.class, e, "drain must throw the reset, got " + e);
        runUntil(loop, () -> server.connectionCount() == 0, "the server side to close");
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ half-close, streams

    @Test
    void streamClientHalfClosesAndStillReadsTheAnswer() {
        EventLoop loop = newLoop();
        Server server = runTask(loop, () -> Net.startServer((reader, writer) -> {
            byte[] all = reader.read(-1); // until the client's EOF
            writer.write(("got " + all.length).getBytes(StandardCharsets.US_ASCII));
            writer.close();
        }, LOCAL, 0));
        String answer = runTask(loop, () -> {
            StreamConnection c = Net.openConnection(LOCAL, port(server));
            c.writer().write(new byte[300_000]);
            c.writer().writeEof();
            assertThrows(IllegalStateException.class, () -> c.writer().write(new byte[1]),
                    "nothing may be written after writeEof");
            String s = new String(c.reader().read(-1), StandardCharsets.US_ASCII);
            c.writer().close();
            c.writer().waitClosed();
            return s;
        });
        assertEquals("got 300000", answer);
        assertNoLoopErrors();
    }

    @Test
    void streamServerHalfClosesAndStillReadsTheClient() {
        EventLoop loop = newLoop();
        Future<String> serverGot = loop.createFuture();
        Server server = runTask(loop, () -> Net.startServer((reader, writer) -> {
            writer.write("banner\n".getBytes(StandardCharsets.US_ASCII));
            writer.writeEof(); // the server is done talking but keeps listening
            serverGot.setResult(new String(reader.read(-1), StandardCharsets.US_ASCII));
            writer.close();
        }, LOCAL, 0));
        String banner = runTask(loop, () -> {
            StreamConnection c = Net.openConnection(LOCAL, port(server));
            String b = new String(c.reader().read(-1), StandardCharsets.US_ASCII);
            assertTrue(c.reader().atEof());
            c.writer().write("still talking".getBytes(StandardCharsets.US_ASCII));
            c.writer().close(); // both sides sent EOF: nothing closes by itself (as asyncio)
            c.writer().waitClosed();
            return b;
        });
        assertEquals("banner\n", banner);
        assertEquals("still talking", run(loop, serverGot));
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ idle timeouts

    @Test
    void aPeerThatConnectsAndSendsNothingIsClosedByTheIdleTimeout() {
        EventLoop loop = newLoop();
        Duration idle = Duration.ofMillis(300);
        Recorder[] accepted = new Recorder[1];
        long[] acceptedAt = new long[1];
        Server server = server(loop, () -> accepted[0] = new Recorder() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                acceptedAt[0] = System.nanoTime();
            }
        }, NetOptions.builder().idleTimeout(idle).build());
        Connection<Recorder> silent = connect(loop, Recorder::new, port(server));
        runUntil(loop, () -> accepted[0] != null && accepted[0].lost, "the idle timeout");
        long took = System.nanoTime() - acceptedAt[0];
        assertTrue(took >= idle.toNanos(), "closed after " + took / 1_000_000 + " ms, before the "
                + idle.toMillis() + " ms timeout");
        SocketTimeoutException e = assertInstanceOf(SocketTimeoutException.class,
                accepted[0].lostCause);
        assertTrue(e.getMessage().contains("idle") && e.getMessage().contains("300 ms"),
                e.getMessage());
        assertTrue(e.getMessage().contains(LOCAL + ":" + port(server)), e.getMessage());
        assertEquals(idle, accepted[0].transport.idleTimeout());
        runUntil(loop, () -> silent.protocol().lost, "the silent peer to be cut off");
        assertInstanceOf(IOException.class, silent.protocol().lostCause,
                "the silent peer sees a reset");
        assertEquals(0, server.connectionCount());
        assertNull(silent.transport().idleTimeout(), "the client had no idle timeout");
        assertNoLoopErrors();
    }

    @Test
    void trafficInEitherDirectionRestartsTheIdlePeriod() {
        EventLoop loop = newLoop();
        // A generous timeout against a 10 ms trickle: a loaded machine must not make it flaky.
        Duration idle = Duration.ofMillis(1000);
        Recorder[] accepted = new Recorder[1];
        Server server = server(loop, () -> accepted[0] = new Recorder(),
                NetOptions.builder().idleTimeout(idle).build());
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        runUntil(loop, () -> accepted[0] != null && accepted[0].transport != null, "accept");
        long end = System.nanoTime() + 2 * idle.toNanos() + 500_000_000L;
        boolean[] fromServer = {false};
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            if (System.nanoTime() >= end || accepted[0].lost) {
                return;
            }
            // Alternate: the client writes (the server reads), then the server writes.
            (fromServer[0] ? accepted[0].transport : c.transport()).write(ascii("."));
            fromServer[0] = !fromServer[0];
            loop.callLater(Duration.ofMillis(10), tick[0]);
        };
        loop.callSoon(tick[0]);
        runUntil(loop, () -> System.nanoTime() >= end || accepted[0].lost, "the trickle to end");
        assertFalse(accepted[0].lost, "closed although bytes kept moving: "
                + accepted[0].lostCause);
        runUntil(loop, () -> accepted[0].lost, "the idle timeout once the trickle stopped");
        assertInstanceOf(SocketTimeoutException.class, accepted[0].lostCause);
        assertNoLoopErrors();
    }

    @Test
    void setIdleTimeoutValidatesAndNullTurnsItOff() {
        EventLoop loop = newLoop();
        Recorder[] accepted = new Recorder[1];
        Server server = server(loop, () -> accepted[0] = new Recorder(),
                NetOptions.builder().idleTimeout(Duration.ofMillis(200)).build());
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        runUntil(loop, () -> accepted[0] != null && accepted[0].transport != null, "accept");
        Transport t = accepted[0].transport;
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofMillis(-1)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> t.setIdleTimeout(bad));
            assertTrue(e.getMessage().contains("idle timeout") && e.getMessage().contains("positive"),
                    e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NetOptions.builder().idleTimeout(Duration.ofSeconds(-5)).build());
        assertTrue(e.getMessage().contains("idleTimeout"), e.getMessage());
        t.setIdleTimeout(null);
        assertNull(t.idleTimeout());
        runFor(loop, Duration.ofMillis(500));
        assertFalse(accepted[0].lost, "no timeout once turned off");
        c.transport().setIdleTimeout(Duration.ofMillis(100)); // the client side may set one too
        runUntil(loop, () -> c.protocol().lost, "the client's own idle timeout");
        assertInstanceOf(SocketTimeoutException.class, c.protocol().lostCause);
        assertNoLoopErrors();
    }

    @Test
    void aStreamReadOnAnIdleConnectionThrowsSocketTimeoutException() {
        EventLoop loop = newLoop();
        Future<Throwable> handlerSaw = loop.createFuture();
        NetOptions idle = NetOptions.builder().idleTimeout(Duration.ofMillis(200)).build();
        Server server = runTask(loop, () -> Net.startServer((reader, writer) -> {
            try {
                reader.readLine();
                handlerSaw.setResult(null);
            } catch (IOException e) {
                handlerSaw.setResult(e);
            }
        }, LOCAL, 0, idle));
        Connection<Recorder> silent = connect(loop, Recorder::new, port(server));
        Throwable e = run(loop, handlerSaw);
        assertInstanceOf(SocketTimeoutException.class, e);
        runUntil(loop, () -> silent.protocol().lost, "the silent client to be cut off");
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ closing while registered

    @Test
    void aSourceClosedDuringDispatchIsNotCalledAndItsReusedDescriptorGetsNoStaleEvent()
            throws Exception {
        Poller poller = register(newPoller());
        ListenSocket l = register(poller.sockets().listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64,
                SocketOptions.none()));
        StreamSocket[] a = track(pair(poller, l));
        StreamSocket[] b = track(pair(poller, l));
        List<String> calls = new ArrayList<>();
        StreamSocket[][] replacement = new StreamSocket[1][];
        Registration[] newReg = new Registration[1];
        IoHandler[] handlers = new IoHandler[2];
        StreamSocket[] readers = {a[1], b[1]};
        for (int i = 0; i < 2; i++) {
            int me = i;
            handlers[i] = ops -> {
                calls.add(me == 0 ? "a" : "b");
                if (replacement[0] != null) {
                    return;
                }
                // Close the other (also ready) source, then open a new socket: the kernel hands
                // out the lowest free descriptor, usually the one just closed.
                readers[1 - me].close();
                try {
                    replacement[0] = track(pair(poller, l));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                newReg[0] = poller.register(replacement[0][1], Poller.READ,
                        o -> calls.add("replacement"));
            };
        }
        poller.register(a[1], Poller.READ, handlers[0]);
        poller.register(b[1], Poller.READ, handlers[1]);
        a[0].write(ascii("x"));
        b[0].write(ascii("y"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (calls.isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "no readiness reported");
            poller.poll(20_000_000L);
        }
        assertEquals(1, calls.size(), "the closed source was called, or its stale event went to "
                + "the socket that reused its descriptor: " + calls);
        // The replacement works normally.
        replacement[0][0].write(ascii("z"));
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!calls.contains("replacement")) {
            assertTrue(System.nanoTime() < deadline, "the replacement was never reported");
            poller.poll(20_000_000L);
        }
        assertTrue(newReg[0].isValid());
        String closedOne = calls.get(0).equals("a") ? "b" : "a";
        assertFalse(calls.contains(closedOne), "closed source called: " + calls);
    }

    @Test
    void aTransportClosedFromAnotherConnectionsCallbackGetsNoMoreData() {
        EventLoop loop = newLoop();
        List<Recorder> accepted = new ArrayList<>();
        Server server = server(loop, () -> {
            Recorder r = new Recorder() {
                @Override
                public void dataReceived(ByteBuffer data) {
                    super.dataReceived(data);
                    for (Recorder other : accepted) {
                        if (other != this) {
                            other.transport.abort(); // while its data may be ready in this poll
                        }
                    }
                }
            };
            accepted.add(r);
            return r;
        });
        Connection<Recorder> c1 = connect(loop, Recorder::new, port(server));
        Connection<Recorder> c2 = connect(loop, Recorder::new, port(server));
        runUntil(loop, () -> accepted.size() == 2 && accepted.get(1).transport != null, "accepts");
        c1.transport().write(ascii("one"));
        c2.transport().write(ascii("two"));
        runUntil(loop, () -> accepted.get(0).lost || accepted.get(1).lost, "one abort");
        runFor(loop, Duration.ofMillis(20));
        int withData = 0;
        for (Recorder r : accepted) {
            withData += r.received.size() > 0 ? 1 : 0;
        }
        assertEquals(1, withData, "an aborted transport must not receive data");
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ exceptions in callbacks

    @Test
    void anExceptionInEveryKindOfCallbackIsReportedAndTheLoopCarriesOn() throws Exception {
        EventLoop loop = newLoop();
        Server echo = server(loop, Echo::new);
        Server failing = server(loop, () -> new Protocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                throw new IllegalStateException("boom: protocol");
            }
        });
        Connection<Recorder> victim = connect(loop, Recorder::new, port(failing));
        victim.transport().write(ascii("trigger"));
        Future<String> f = loop.createFuture();
        f.addDoneCallback(x -> {
            throw new IllegalStateException("boom: done-callback");
        });
        f.setResult("x");
        loop.callLater(Duration.ofMillis(1), () -> {
            throw new IllegalStateException("boom: timer");
        });
        loop.callSoon(() -> {
            throw new IllegalStateException("boom: callSoon");
        });
        Thread t = new Thread(() -> loop.callSoonThreadsafe(() -> {
            throw new IllegalStateException("boom: callSoonThreadsafe");
        }));
        t.start();
        t.join();
        var task = loop.createTask(() -> {
            dev.pollen.async.Async.sleep(Duration.ofMillis(1));
            throw new IllegalStateException("boom: task");
        });
        task.addDoneCallback(x -> x.exception()); // retrieved: reported by the task, not the GC
        StreamSocket[] p = track(pair(loop.poller(), register(loop.poller().sockets().listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4,
                SocketOptions.none()))));
        loop.addReader(p[1], () -> {
            throw new IllegalStateException("boom: reader");
        });
        p[0].write(ascii("r"));
        runUntil(loop, () -> victim.protocol().lost && task.isDone()
                && loopErrors.stream().anyMatch(c -> message(c).contains("reader")), "all to fail");
        loop.removeReader(p[1]);
        // Every kind was reported once to the handler (the task's own failure is its result).
        for (String kind : new String[] {"protocol", "done-callback", "timer", "callSoon",
                "callSoonThreadsafe", "reader"}) {
            assertTrue(loopErrors.stream().anyMatch(c -> message(c).contains("boom: " + kind)),
                    kind + " not reported: " + loopErrors.stream().map(this::message).toList());
        }
        assertEquals("boom: task", task.exception().getMessage());
        // ... and the loop still works: timers, tasks and I/O.
        Connection<Recorder> c = connect(loop, Recorder::new, port(echo));
        c.transport().write(ascii("still alive"));
        c.transport().writeEof();
        runUntil(loop, () -> c.protocol().lost, "the echo");
        assertEquals("still alive", new String(c.protocol().bytes(), StandardCharsets.US_ASCII));
        assertEquals(7, runTask(loop, () -> {
            dev.pollen.async.Async.sleep(Duration.ofMillis(1));
            return 7;
        }));
    }

    @Test
    void errorsFromProtocolsFactoriesAndReadersAreReportedAndTheLoopCarriesOn() throws Exception {
        EventLoop loop = newLoop();
        Server echo = server(loop, Echo::new);
        OutOfMemoryError inProtocol = new OutOfMemoryError("boom: protocol");
        Server failing = server(loop, () -> new Protocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                throw inProtocol;
            }
        });
        ExceptionInInitializerError inFactory = new ExceptionInInitializerError("boom: factory");
        Server noProtocol = server(loop, () -> {
            throw inFactory;
        });
        InternalError inLost = new InternalError("boom: connectionLost");
        Server failingLost = server(loop, () -> new Protocol() {
            @Override
            public void connectionLost(Throwable cause) {
                throw inLost;
            }
        });
        Connection<Recorder> victim = connect(loop, Recorder::new, port(failing));
        victim.transport().write(ascii("trigger"));
        Connection<Recorder> refused = connect(loop, Recorder::new, port(noProtocol));
        Connection<Recorder> closing = connect(loop, Recorder::new, port(failingLost));
        runUntil(loop, () -> failingLost.connectionCount() == 1, "the accept");
        closing.transport().close();
        StackOverflowError inReader = new StackOverflowError("boom: reader");
        StreamSocket[] p = track(pair(loop.poller(), register(loop.poller().sockets().listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4,
                SocketOptions.none()))));
        loop.addReader(p[1], () -> {
            throw inReader;
        });
        p[0].write(ascii("r"));
        List<Throwable> expected = List.of(inProtocol, inFactory, inLost, inReader);
        runUntil(loop, () -> victim.protocol().lost && refused.protocol().lost
                && loopErrors.stream().map(ExceptionContext::exception).toList()
                        .containsAll(expected), "every error to be reported");
        loop.removeReader(p[1]);
        assertInstanceOf(IOException.class, victim.protocol().lostCause == null
                ? new IOException("clean close") : victim.protocol().lostCause);
        // ... and the loop still serves
        Connection<Recorder> c = connect(loop, Recorder::new, port(echo));
        c.transport().write(ascii("still alive"));
        c.transport().writeEof();
        runUntil(loop, () -> c.protocol().lost, "the echo");
        assertEquals("still alive", new String(c.protocol().bytes(), StandardCharsets.US_ASCII));
    }

    // ------------------------------------------------------------------ a peer that has gone

    @Test
    void writeEofToAPeerThatHasResetIsRoutineNotAnError() throws Exception {
        EventLoop loop = newLoop();
        List<Recorder> accepted = new ArrayList<>();
        Server recording = server(loop, () -> {
            Recorder r = new Recorder();
            accepted.add(r);
            return r;
        });
        try (java.net.Socket peer = new java.net.Socket(LOCAL, port(recording))) {
            runUntil(loop, () -> accepted.size() == 1 && accepted.get(0).transport != null,
                    "the accept");
            Transport t = accepted.get(0).transport;
            t.pauseReading(); // the reset stays unread, as when the upstream's EOF comes first
            peer.setSoLinger(true, 0);
            peer.close(); // RST: the socket is gone on our side too (shutdown gives ENOTCONN)
            runFor(loop, Duration.ofMillis(20));
            // A proxy forwarding the other side's EOF: must neither throw nor count as an error.
            t.writeEof();
            t.resumeReading();
            runUntil(loop, () -> accepted.get(0).lost, "the connection to be lost");
        }
        Throwable cause = accepted.get(0).lostCause;
        assertTrue(cause == null || cause instanceof IOException, "lost with " + cause);
        assertFalse(cause instanceof java.net.ConnectException,
                "an established connection that the peer reset did not fail to connect: " + cause);
        assertNoLoopErrors();
    }

    private String message(ExceptionContext c) {
        return c.message() + (c.exception() != null ? " / " + c.exception().getMessage() : "");
    }

    // ------------------------------------------------------------------ shutdown, no fd left

    @Test
    void closingALoopWithTasksTimersAndConnectionsPendingLeavesNoDescriptorOpen() {
        FdCount.assumeAvailable();
        shutdownScenario(); // warm up: class loading and JIT may open files once
        // Which descriptors, not how many: other threads of the test JVM close theirs meanwhile
        // (the JDK's process reaper closes a finished child's pipes after waitFor returned), and
        // a count would read such a close as "one fewer" or hide a leak behind it (FdCount).
        Map<Integer, String> before = FdCount.snapshot();
        shutdownScenario();
        Map<Integer, String> left = FdCount.openedSince(before);
        assertEquals(Map.of(), left, "descriptors the scenario opened and the loop's close left "
                + "open; all open now: " + FdCount.describe());
    }

    /** A loop with every kind of pending work, closed without any clean-up by the user. */
    private void shutdownScenario() {
        EventLoop loop = EventLoop.builder().poller(newPoller())
                .exceptionHandler((l, ctx) -> loopErrors.add(ctx)).build();
        try {
            Server server = server(loop, Echo::new, SMALL_BUFFERS);
            Recorder[] stalled = new Recorder[1];
            Server stalling = server(loop, () -> stalled[0] = new Recorder() {
                @Override
                public void connectionMade(Transport t) {
                    super.connectionMade(t);
                    t.pauseReading();
                }
            }, SMALL_BUFFERS);
            List<Connection<Recorder>> conns = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                conns.add(connect(loop, Recorder::new, port(server)));
            }
            Connection<Recorder> blocked = connect(loop, Recorder::new, port(stalling),
                    SMALL_BUFFERS);
            blocked.transport().write(ByteBuffer.wrap(new byte[4 * MIB])); // stays queued
            // Tasks suspended in a stream read and in a sleep; a pending timer; a connect that
            // is still resolving or in progress; a server the tasks started.
            Server streams = runTask(loop, () -> Net.startServer((r, w) -> r.readLine(), LOCAL, 0));
            int streamsPort = port(streams);
            loop.createTask(() -> {
                StreamConnection c = Net.openConnection(LOCAL, streamsPort);
                c.reader().read(-1);
                return null;
            });
            loop.createTask(() -> dev.pollen.async.Async.sleep(Duration.ofHours(1)));
            loop.callLater(Duration.ofHours(1), () -> { });
            runUntil(loop, () -> streams.connectionCount() == 1 && stalled[0] != null
                    && blocked.transport().writeBufferSize() > 0, "everything to be pending");
            Net.createConnection(loop, Recorder::new, LOCAL, port(server)); // left in progress
            assertTrue(server.connectionCount() >= 5);
        } finally {
            loop.close(); // no stop of servers, no close of transports: the loop must do it
        }
        assertTrue(loop.isClosed());
    }

    // ------------------------------------------------------------------ helpers

    /** A connected pair through {@code l}, polled into existence: [0] client, [1] accepted. */
    static StreamSocket[] pair(Poller poller, ListenSocket l) throws IOException,
            InterruptedException {
        StreamSocket c = poller.sockets().connect(l.localAddress(), SocketOptions.none());
        StreamSocket s = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (s == null) {
            s = l.accept();
            if (s == null) {
                assertTrue(System.nanoTime() < deadline, "accept timed out");
                Thread.sleep(1);
            }
        }
        while (!c.finishConnect()) {
            assertTrue(System.nanoTime() < deadline, "connect timed out");
            Thread.sleep(1);
        }
        return new StreamSocket[] {c, s};
    }

    /** Closes both sockets after the test. */
    private StreamSocket[] track(StreamSocket[] p) {
        register(p[0]);
        register(p[1]);
        return p;
    }

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

}
