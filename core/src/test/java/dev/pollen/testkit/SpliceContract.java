package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.TimerHandle;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.Pipe;
import dev.pollen.net.Protocol;
import dev.pollen.net.Server;
import dev.pollen.net.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Net.pipe}'s kernel path: where the backend splices ({@link KitBackend#splices()}), every
 * pipe between two plain TCP transports whose traffic is bulk must move bytes with
 * {@code splice(2)} ({@code Pipe.isSpliced()}); elsewhere, and for small request/response
 * traffic, it must copy; idle and small-traffic connections hold no pipe descriptor, and a
 * direction gives its pipe back when it goes idle. Either way the same rules hold, checked here
 * with many megabytes: byte-exact forwarding both ways at once and across the switch from
 * copying to splicing, flow control against a stalled reader on each side, half-close each way,
 * resets each way, a side closed while the pipe still fills it, bytes queued before the pipe
 * going first, and the fallback to copying when no kernel pipe can be had. {@link PipeContract}
 * runs the same pipe's general cases.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class SpliceContract extends NetFixture {

    private static final int MIB = 1 << 20;
    /** The most one read can add to a write buffer before reading pauses (PipeContract's bound). */
    private static final int ONE_READ = 64 * 1024;
    private static final String MAX_PIPES = "pollen.splice.maxPipes";
    private static final String SPLICE = "pollen.pipe.splice";
    private static final String POOL = "pollen.splice.pool";

    /** Records; on end-of-stream notes how much had arrived, then answers and half-closes. */
    static class Answering extends Recorder {
        final byte[] answer;
        int receivedAtEof = -1;

        Answering(byte[] answer) {
            this.answer = answer;
            keepOpenOnEof = true;
        }

        @Override
        public boolean eofReceived() {
            receivedAtEof = received.size();
            if (answer != null) {
                transport.write(ByteBuffer.wrap(answer));
                transport.writeEof();
            }
            return super.eofReceived();
        }
    }

    /** Sends {@code data} and half-closes as soon as it connects; records what it receives. */
    static Recorder sending(byte[] data, Consumer<Transport> more) {
        return new Recorder() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                more.accept(t);
                if (data != null) {
                    t.write(ByteBuffer.wrap(data));
                    t.writeEof();
                }
            }
        };
    }

    /** A proxy side's flow-control state, for a failure message. */
    private static String state(Transport t) {
        return t + " reading=" + t.isReading() + " holding=" + t.writeBufferSize();
    }

    private void assertPath(Pipe pipe) {
        assertEquals(backend().splices(), pipe.isSpliced(), "on " + backend().name()
                + " a pipe between two plain TCP transports must "
                + (backend().splices() ? "splice" : "copy"));
    }

    @Test
    void manyMegabytesBothWaysAtOnceArriveByteExact() {
        EventLoop loop = newLoop();
        byte[] up = randomBytes(16 * MIB, 1);
        byte[] down = randomBytes(16 * MIB, 2);
        List<Recorder> servers = new ArrayList<>();
        Server upstream = server(loop, () -> {
            Recorder r = sending(down, t -> { });
            servers.add(r);
            return r;
        });
        PipeProxy proxy = new PipeProxy(loop, port(upstream));
        Connection<Recorder> c = connect(loop, () -> sending(up, t -> { }), proxy.port());
        runUntil(loop, () -> c.protocol().lost && !servers.isEmpty() && servers.get(0).lost,
                "both ends to finish");
        assertArrayEquals(down, c.protocol().bytes());
        assertArrayEquals(up, servers.get(0).bytes());
        assertNull(c.protocol().lostCause);
        Pipe pipe = proxy.pipes.get(0);
        run(loop, pipe.whenClosed());
        assertNull(pipe.error());
        assertPath(pipe);
        assertEquals(up.length, pipe.bytesAtoB());
        assertEquals(down.length, pipe.bytesBtoA());
        assertNoLoopErrors();
    }

    @Test
    void aStalledReaderOnEachSidePausesTheOtherSideWithBoundedMemory() {
        EventLoop loop = newLoop();
        byte[] up = randomBytes(16 * MIB, 3);
        byte[] down = randomBytes(16 * MIB, 4);
        Recorder[] server = new Recorder[1];
        Server upstream = server(loop, () -> server[0] = sending(null, t -> {
            t.pauseReading(); // the stalled reader upstream
            t.write(ByteBuffer.wrap(down)); // ...which also sends fast
        }), SMALL_BUFFERS);
        PipeProxy proxy = new PipeProxy(loop, port(upstream));
        Connection<Recorder> c = connect(loop, () -> sending(null, Transport::pauseReading),
                proxy.port(), SMALL_BUFFERS);
        runUntil(loop, () -> !proxy.pipes.isEmpty(), "the pipe");
        c.transport().write(ByteBuffer.wrap(up));
        Transport towardsClient = proxy.clientSides.get(0);
        Transport towardsUpstream = proxy.upstreamSides.get(0);
        long boundUp = towardsUpstream.writeBufferHighWater() + ONE_READ;
        long boundDown = towardsClient.writeBufferHighWater() + ONE_READ;
        long[] max = new long[2];
        TimerHandle[] sampler = new TimerHandle[1];
        Runnable sample = new Runnable() {
            @Override
            public void run() {
                max[0] = Math.max(max[0], towardsUpstream.writeBufferSize());
                max[1] = Math.max(max[1], towardsClient.writeBufferSize());
                sampler[0] = loop.callLater(Duration.ofMillis(1), this);
            }
        };
        sample.run();
        runUntil(loop, () -> !towardsClient.isReading() && !towardsUpstream.isReading(),
                "the proxy to stop reading both sides");
        runFor(loop, Duration.ofMillis(100));
        assertFalse(towardsClient.isReading(), "the client must stay paused (upstream stalls)");
        assertFalse(towardsUpstream.isReading(), "upstream must stay paused (the client stalls)");
        assertTrue(c.transport().writeBufferSize() > 0, "the client's backlog stays with it");
        assertTrue(server[0].transport.writeBufferSize() > 0, "upstream's backlog stays with it");
        server[0].transport.resumeReading();
        c.protocol().transport.resumeReading();
        try {
            runUntil(loop, () -> server[0].received.size() == up.length
                    && c.protocol().received.size() == down.length, "all 16 MiB each way");
        } catch (AssertionError e) { // seen once on kqueue-emulated, never reproduced: say where
            throw new AssertionError(e.getMessage() + "; upstream got " + server[0].received.size()
                    + ", the client " + c.protocol().received.size() + "; towards upstream "
                    + state(towardsUpstream) + "; towards the client " + state(towardsClient)
                    + "; " + proxy.pipes.get(0) + " moved " + proxy.pipes.get(0).bytesAtoB()
                    + " up, " + proxy.pipes.get(0).bytesBtoA() + " down; poller " + loop.poller(),
                    e);
        }
        sampler[0].cancel();
        assertArrayEquals(up, server[0].bytes());
        assertArrayEquals(down, c.protocol().bytes());
        assertTrue(max[0] <= boundUp, "towards upstream the proxy held " + max[0] + " bytes, bound "
                + boundUp);
        assertTrue(max[1] <= boundDown, "towards the client the proxy held " + max[1]
                + " bytes, bound " + boundDown);
        assertPath(proxy.pipes.get(0));
        assertNoLoopErrors();
    }

    @Test
    void closingASideWhileThePipeStillFillsItEndsThePipeCleanly() {
        EventLoop loop = newLoop();
        Recorder[] server = new Recorder[1];
        Server upstream = server(loop, () -> server[0] = new Recorder(), SMALL_BUFFERS);
        PipeProxy proxy = new PipeProxy(loop, port(upstream));
        Connection<Recorder> c = connect(loop, () -> sending(null, Transport::pauseReading),
                proxy.port(), SMALL_BUFFERS);
        runUntil(loop, () -> !proxy.pipes.isEmpty() && server[0] != null, "the pipe");
        Pipe pipe = proxy.pipes.get(0);
        Transport towardsClient = proxy.clientSides.get(0);
        // Upstream streams far more than the buffers hold; the client does not read yet, so the
        // proxy holds a backlog towards it when it is closed.
        Runnable[] more = new Runnable[1];
        more[0] = () -> {
            if (!server[0].transport.isClosing()) {
                server[0].transport.write(ByteBuffer.wrap(new byte[256 * 1024]));
                if (server[0].transport.writeBufferSize() < MIB) {
                    loop.callSoon(more[0]);
                } else {
                    loop.callLater(Duration.ofMillis(1), more[0]);
                }
            }
        };
        loop.callSoon(more[0]);
        runUntil(loop, () -> towardsClient.writeBufferSize() > 0
                && pipe.isSpliced() == backend().splices(), "a backlog towards the client");
        towardsClient.close(); // flushes what it holds, then ends the pipe
        c.protocol().transport.resumeReading();
        run(loop, pipe.whenClosed());
        assertNull(pipe.error(), "closing one side is no error of the pipe");
        runUntil(loop, () -> server[0].lost, "upstream to see the end"); // mid-write: EPIPE/RST
        assertNoLoopErrors();
    }

    @Test
    void theClientsHalfCloseArrivesAfterItsBytesAndTheOtherWayKeepsFlowing() {
        EventLoop loop = newLoop();
        byte[] request = randomBytes(4 * MIB, 5);
        byte[] answer = randomBytes(4 * MIB, 6);
        Answering[] server = new Answering[1];
        Server upstream = server(loop, () -> server[0] = new Answering(answer));
        PipeProxy proxy = new PipeProxy(loop, port(upstream));
        Recorder client = sending(request, t -> { });
        client.keepOpenOnEof = true;
        connect(loop, () -> client, proxy.port());
        runUntil(loop, () -> client.eof, "the answer and upstream's half-close");
        assertEquals(request.length, server[0].receivedAtEof,
                "end-of-stream must arrive after every byte before it");
        assertArrayEquals(request, server[0].bytes());
        assertArrayEquals(answer, client.bytes());
        Pipe pipe = proxy.pipes.get(0);
        run(loop, pipe.whenClosed()); // both directions ended: the pipe closes both sides
        assertNull(pipe.error());
        assertPath(pipe);
        client.transport.close();
        assertNoLoopErrors();
    }

    @Test
    void upstreamsHalfCloseArrivesAfterItsBytesAndTheOtherWayKeepsFlowing() {
        EventLoop loop = newLoop();
        byte[] greeting = randomBytes(4 * MIB, 7);
        byte[] reply = randomBytes(4 * MIB, 8);
        Recorder[] server = new Recorder[1];
        Server upstream = server(loop, () -> {
            Recorder r = sending(greeting, t -> { });
            r.keepOpenOnEof = true;
            server[0] = r;
            return r;
        });
        PipeProxy proxy = new PipeProxy(loop, port(upstream));
        Answering client = new Answering(reply);
        connect(loop, () -> client, proxy.port());
        runUntil(loop, () -> server[0] != null && server[0].eof, "the reply and the client's EOF");
        assertEquals(greeting.length, client.receivedAtEof,
                "end-of-stream must arrive after every byte before it");
        assertArrayEquals(greeting, client.bytes());
        assertArrayEquals(reply, server[0].bytes());
        Pipe pipe = proxy.pipes.get(0);
        run(loop, pipe.whenClosed());
        assertNull(pipe.error());
        assertPath(pipe);
        server[0].transport.close();
        assertNoLoopErrors();
    }

    @Test
    void anUpstreamResetReachesTheClientAsAReset() {
        EventLoop loop = newLoop();
        Server upstream = server(loop, () -> new Recorder() {
            @Override
            public void dataReceived(ByteBuffer data) {
                super.dataReceived(data);
                if (received.size() >= MIB) {
                    transport.abort();
                }
            }
        });
        PipeProxy proxy = new PipeProxy(loop, port(upstream));
        Connection<Recorder> c = connect(loop, Recorder::new, proxy.port());
        c.transport().write(ByteBuffer.wrap(randomBytes(16 * MIB, 9)));
        runUntil(loop, () -> c.protocol().lost, "the client to lose its connection");
        assertInstanceOf(IOException.class, c.protocol().lostCause,
                "the upstream reset must reach the client as a reset");
        Pipe pipe = proxy.pipes.get(0);
        run(loop, pipe.whenClosed());
        assertInstanceOf(IOException.class, pipe.error());
        assertPath(pipe);
        assertNoLoopErrors();
    }

    @Test
    void aClientResetReachesUpstreamAsAReset() {
        EventLoop loop = newLoop();
        Recorder[] server = new Recorder[1];
        Server upstream = server(loop, () -> server[0] = sending(null,
                t -> t.write(ByteBuffer.wrap(randomBytes(16 * MIB, 10)))));
        PipeProxy proxy = new PipeProxy(loop, port(upstream));
        Connection<Recorder> c = connect(loop, () -> new Recorder() {
            @Override
            public void dataReceived(ByteBuffer data) {
                super.dataReceived(data);
                if (received.size() >= MIB && !transport.isClosing()) {
                    transport.abort();
                }
            }
        }, proxy.port());
        runUntil(loop, () -> server[0] != null && server[0].lost,
                "upstream to lose its connection");
        assertInstanceOf(IOException.class, server[0].lostCause,
                "the client's reset must reach upstream as a reset");
        Pipe pipe = proxy.pipes.get(0);
        run(loop, pipe.whenClosed());
        assertInstanceOf(IOException.class, pipe.error());
        assertPath(pipe);
        assertTrue(c.protocol().lost);
        assertNoLoopErrors();
    }

    @Test
    void bytesQueuedBeforeThePipeGoFirstInBothDirections() {
        EventLoop loop = newLoop();
        byte[] earlyUp = randomBytes(2 * MIB, 11); // more than the kernel takes at once: queued
        byte[] earlyDown = randomBytes(2 * MIB, 12);
        byte[] up = randomBytes(4 * MIB, 13);
        byte[] down = randomBytes(4 * MIB, 14);
        Recorder[] server = new Recorder[1];
        Server upstream = server(loop, () -> server[0] = sending(down, t -> { }));
        PipeProxy proxy = new PipeProxy(loop, port(upstream), (client, upstreamSide) -> {
            upstreamSide.write(ByteBuffer.wrap(earlyUp)); // a proxy's held request bytes
            client.write(ByteBuffer.wrap(earlyDown)); // a protocol's leftovers towards the client
        });
        Connection<Recorder> c = connect(loop, () -> sending(up, t -> { }), proxy.port());
        runUntil(loop, () -> c.protocol().lost && server[0] != null && server[0].lost,
                "both ends to finish");
        assertArrayEquals(concat(earlyUp, up), server[0].bytes());
        assertArrayEquals(concat(earlyDown, down), c.protocol().bytes());
        Pipe pipe = proxy.pipes.get(0);
        run(loop, pipe.whenClosed());
        assertNull(pipe.error());
        assertPath(pipe);
        assertEquals(up.length, pipe.bytesAtoB(), "the pipe counts what it forwarded itself");
        assertEquals(down.length, pipe.bytesBtoA());
        assertNoLoopErrors();
    }

    @Test
    void withoutAKernelPipeThePipeCopiesAndNoConnectionFails() {
        SystemProperty.with(MAX_PIPES, "0", () -> {
            EventLoop loop = newLoop();
            Recorder[] server = new Recorder[1];
            Server upstream = server(loop, () -> server[0] = new Recorder());
            PipeProxy proxy = new PipeProxy(loop, port(upstream));
            byte[] up = randomBytes(4 * MIB, 15);
            Connection<Recorder> c = connect(loop, () -> sending(up, t -> { }), proxy.port());
            runUntil(loop, () -> c.protocol().lost, "the transfer");
            assertArrayEquals(up, server[0].bytes());
            assertFalse(proxy.pipes.get(0).isSpliced(), "a cap of 0 pipes must copy");
            assertNoLoopErrors();
        });
    }

    @Test
    void moreBulkDirectionsThanPipesShareThemAndTheRestCopyByteExact() {
        SystemProperty.with(MAX_PIPES, "1", () -> { // one pipe for four bulk directions at once
            EventLoop loop = newLoop();
            List<Recorder> servers = new ArrayList<>();
            byte[][] down = {randomBytes(8 * MIB, 16), randomBytes(8 * MIB, 17)};
            Server upstream = server(loop, () -> {
                Recorder r = sending(down[servers.size()], t -> { });
                servers.add(r);
                return r;
            });
            PipeProxy proxy = new PipeProxy(loop, port(upstream));
            byte[][] up = {randomBytes(8 * MIB, 18), randomBytes(8 * MIB, 19)};
            Connection<Recorder> first = connect(loop, () -> sending(up[0], t -> { }),
                    proxy.port());
            runUntil(loop, () -> servers.size() == 1, "the first upstream connection");
            Connection<Recorder> second = connect(loop, () -> sending(up[1], t -> { }),
                    proxy.port());
            runUntil(loop, () -> first.protocol().lost && second.protocol().lost
                    && servers.size() == 2 && servers.get(0).lost && servers.get(1).lost,
                    "both connections to finish");
            assertArrayEquals(up[0], servers.get(0).bytes());
            assertArrayEquals(up[1], servers.get(1).bytes());
            assertArrayEquals(down[0], first.protocol().bytes());
            assertArrayEquals(down[1], second.protocol().bytes());
            for (Pipe pipe : proxy.pipes) {
                run(loop, pipe.whenClosed());
                assertNull(pipe.error(), "no connection fails for want of a pipe");
            }
            assertEquals(backend().splices(), proxy.pipes.get(0).isSpliced()
                    || proxy.pipes.get(1).isSpliced(), "some direction gets the one pipe");
            assertNoLoopErrors();
        });
    }

    @Test
    void idleAndSmallRequestResponseConnectionsHoldNoPipe() {
        FdCount.assumeAvailable();
        EventLoop loop = newLoop();
        Server upstream = server(loop, Echo::new);
        PipeProxy proxy = new PipeProxy(loop, port(upstream));
        int before = FdCount.pipes();
        List<Connection<Recorder>> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            clients.add(connect(loop, Recorder::new, proxy.port()));
        }
        runUntil(loop, () -> proxy.pipes.size() == 8, "eight piped connections");
        assertEquals(before, FdCount.pipes(), "idle piped connections hold no pipe: "
                + FdCount.describe());
        byte[] request = randomBytes(2000, 20); // a keep-alive request/response exchange
        for (int round = 1; round <= 20; round++) {
            for (Connection<Recorder> c : clients) {
                c.transport().write(ByteBuffer.wrap(request));
            }
            int expected = round * request.length;
            runUntil(loop, () -> clients.stream()
                    .allMatch(c -> c.protocol().received.size() == expected), "round " + round);
        }
        for (int i = 0; i < clients.size(); i++) {
            assertFalse(proxy.pipes.get(i).isSpliced(), "small exchanges must copy");
            assertEquals(20L * request.length, proxy.pipes.get(i).bytesAtoB());
        }
        assertEquals(before, FdCount.pipes(), "small traffic holds no pipe: "
                + FdCount.describe());
        clients.forEach(c -> c.transport().close());
        assertNoLoopErrors();
    }

    @Test
    void aBulkTransferSwitchesToSplicingByteExactAndGivesThePipesBackWhenIdle() {
        FdCount.assumeAvailable();
        SystemProperty.with(POOL, "0", () -> { // no pool: a pipe given back is closed, so it shows
            EventLoop loop = newLoop();
            Recorder[] server = new Recorder[1];
            Server upstream = server(loop, () -> server[0] = new Recorder());
            PipeProxy proxy = new PipeProxy(loop, port(upstream));
            int before = FdCount.pipes();
            Connection<Recorder> c = connect(loop, Recorder::new, proxy.port());
            runUntil(loop, () -> server[0] != null && !proxy.pipes.isEmpty(), "the pipe");
            Pipe pipe = proxy.pipes.get(0);
            // A small exchange each way first: it is copied...
            byte[] helloUp = randomBytes(100, 21);
            byte[] helloDown = randomBytes(300, 22);
            c.transport().write(ByteBuffer.wrap(helloUp));
            server[0].transport.write(ByteBuffer.wrap(helloDown));
            runUntil(loop, () -> server[0].received.size() == helloUp.length
                    && c.protocol().received.size() == helloDown.length, "the small exchange");
            assertFalse(pipe.isSpliced(), "small traffic copies");
            // ...then bulk each way at once: the direction switches, the order stays exact.
            byte[] up = randomBytes(8 * MIB, 23);
            byte[] down = randomBytes(8 * MIB, 24);
            c.transport().write(ByteBuffer.wrap(up));
            server[0].transport.write(ByteBuffer.wrap(down));
            long heldMax = 0;
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (server[0].received.size() < helloUp.length + up.length
                    || c.protocol().received.size() < helloDown.length + down.length) {
                assertTrue(System.nanoTime() < deadline, "the bulk transfer stalled");
                runFor(loop, Duration.ofMillis(2));
                heldMax = Math.max(heldMax, FdCount.pipes() - before);
            }
            assertArrayEquals(concat(helloUp, up), server[0].bytes());
            assertArrayEquals(concat(helloDown, down), c.protocol().bytes());
            assertEquals(backend().splices(), pipe.isSpliced(), "on " + backend().name()
                    + " bulk traffic must " + (backend().splices() ? "splice" : "copy"));
            assertEquals(helloUp.length + up.length, pipe.bytesAtoB());
            assertEquals(helloDown.length + down.length, pipe.bytesBtoA());
            assertTrue(heldMax <= 4, "at most one pipe (two descriptors) per direction, saw "
                    + heldMax);
            runFor(loop, Duration.ofMillis(20));
            assertEquals(before, FdCount.pipes(), "an idle connection gives its pipes back: "
                    + FdCount.describe());
            c.transport().close();
            run(loop, pipe.whenClosed());
            assertNull(pipe.error());
            assertEquals(before, FdCount.pipes());
            assertNoLoopErrors();
        });
    }

    @Test
    void theSwitchMakesEveryPipeCopy() {
        SystemProperty.with(SPLICE, "false", () -> {
            EventLoop loop = newLoop();
            byte[] up = randomBytes(4 * MIB, 17);
            Recorder[] server = new Recorder[1];
            Server upstream = server(loop, () -> server[0] = new Recorder());
            PipeProxy proxy = new PipeProxy(loop, port(upstream));
            Connection<Recorder> c = connect(loop, () -> sending(up, t -> { }), proxy.port());
            runUntil(loop, () -> c.protocol().lost, "the transfer");
            assertArrayEquals(up, server[0].bytes());
            assertFalse(proxy.pipes.get(0).isSpliced(), SPLICE + "=false must copy");
            assertEquals(up.length, proxy.pipes.get(0).bytesAtoB());
            assertNoLoopErrors();
        });
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
