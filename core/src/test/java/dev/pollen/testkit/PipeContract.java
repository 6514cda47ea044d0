package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.TimerHandle;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Pipe;
import dev.pollen.net.Protocol;
import dev.pollen.net.Server;
import dev.pollen.net.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code pipe(a, b)} contract on a backend: a TCP proxy made of a server, a connection to an
 * upstream server and a pipe between them; data, half-close, errors and the memory bound when one
 * side stalls.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public class PipeContract extends NetFixture {

    private static final int MIB = 1 << 20;
    /** The most one read can add to a write buffer before reading pauses. */
    private static final int ONE_READ = 64 * 1024;

    @Test
    void proxiesDataBothWaysAndClosesCleanly() {
        EventLoop loop = newLoop();
        Server upstream = server(loop, Echo::new);
        PipeProxy proxy = new PipeProxy(loop, port(upstream));
        Connection<Recorder> c = connect(loop, Recorder::new, proxy.port());
        byte[] data = randomBytes(MIB, 21);
        c.transport().write(ByteBuffer.wrap(data));
        c.transport().writeEof();
        runUntil(loop, () -> c.protocol().lost, "the echo through the proxy");
        assertArrayEquals(data, c.protocol().bytes());
        assertTrue(c.protocol().eof);
        Pipe pipe = proxy.pipes.get(0);
        run(loop, pipe.whenClosed());
        assertNull(pipe.error());
        assertEquals(MIB, pipe.bytesAtoB());
        assertEquals(MIB, pipe.bytesBtoA());
        assertNoLoopErrors();
    }

    @Test
    void halfCloseIsForwardedInBothDirections() {
        EventLoop loop = newLoop();
        Server upstream = server(loop, () -> new AnswerAtEof((t, got) -> {
            t.write(ByteBuffer.wrap(("bye after " + got).getBytes(StandardCharsets.US_ASCII)));
            t.writeEof();
        }));
        PipeProxy proxy = new PipeProxy(loop, port(upstream));
        Recorder client = new Recorder();
        client.keepOpenOnEof = true;
        Connection<Recorder> c = connect(loop, () -> client, proxy.port());
        c.transport().write(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)));
        c.transport().writeEof();
        runUntil(loop, () -> client.eof, "the upstream's half-close to reach the client");
        assertEquals("bye after hi", new String(client.bytes(), StandardCharsets.US_ASCII));
        Pipe pipe = proxy.pipes.get(0);
        run(loop, pipe.whenClosed()); // both directions ended: the pipe closes both sides
        assertNull(pipe.error());
        c.transport().close();
        assertNoLoopErrors();
    }

    @Test
    void aStalledSideKeepsTheProxyUnderItsMemoryBound() {
        EventLoop loop = newLoop();
        Recorder[] upstreamPeer = new Recorder[1];
        Server upstream = server(loop, () -> upstreamPeer[0] = new Recorder() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                t.pauseReading(); // the stalled peer
            }
        }, SMALL_BUFFERS);
        PipeProxy proxy = new PipeProxy(loop, port(upstream));
        Connection<Recorder> c = connect(loop, Recorder::new, proxy.port(), SMALL_BUFFERS);
        runUntil(loop, () -> !proxy.pipes.isEmpty(), "the pipe");
        Transport towardsUpstream = proxy.upstreamSides.get(0);
        Transport fromClient = proxy.clientSides.get(0);
        long bound = towardsUpstream.writeBufferHighWater() + ONE_READ;
        long[] max = new long[1];
        TimerHandle[] sampler = new TimerHandle[1];
        Runnable sample = new Runnable() {
            @Override
            public void run() {
                max[0] = Math.max(max[0], towardsUpstream.writeBufferSize()
                        + fromClient.writeBufferSize());
                sampler[0] = loop.callLater(Duration.ofMillis(1), this);
            }
        };
        sample.run();
        byte[] data = randomBytes(16 * MIB, 8);
        c.transport().write(ByteBuffer.wrap(data)); // far more than every kernel buffer together
        runUntil(loop, () -> !fromClient.isReading(), "the proxy to stop reading the client");
        runFor(loop, Duration.ofMillis(100));
        assertFalse(fromClient.isReading(), "reading must stay paused while upstream is stalled");
        assertTrue(max[0] <= bound, "proxy buffered " + max[0] + " bytes, bound " + bound);
        // Kernel buffers may autotune to several MiB (tcp_rmem max is 32 MiB on some hosts), so
        // how much stays queued at the client varies; that some does is what matters.
        assertTrue(c.transport().writeBufferSize() > 0,
                "the backlog must stay with the fast client, not in the proxy");
        upstreamPeer[0].transport.resumeReading();
        runUntil(loop, () -> upstreamPeer[0].received.size() == data.length, "all 16 MiB");
        sampler[0].cancel();
        assertArrayEquals(data, upstreamPeer[0].bytes());
        assertTrue(max[0] <= bound, "proxy buffered " + max[0] + " bytes, bound " + bound);
        assertNoLoopErrors();
    }

    @Test
    void aStalledClientKeepsTheProxyUnderItsMemoryBoundTheOtherWay() {
        EventLoop loop = newLoop();
        byte[] data = randomBytes(16 * MIB, 11);
        Server upstream = server(loop, () -> new Recorder() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                t.write(ByteBuffer.wrap(data)); // the fast sender: all at once
                t.writeEof();
            }
        }, SMALL_BUFFERS);
        PipeProxy proxy = new PipeProxy(loop, port(upstream));
        Recorder client = new Recorder() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                t.pauseReading(); // the stalled receiver
            }
        };
        connect(loop, () -> client, proxy.port(), SMALL_BUFFERS);
        runUntil(loop, () -> !proxy.pipes.isEmpty(), "the pipe");
        Transport towardsClient = proxy.clientSides.get(0);
        Transport fromUpstream = proxy.upstreamSides.get(0);
        long bound = towardsClient.writeBufferHighWater() + ONE_READ;
        long[] max = new long[1];
        TimerHandle[] sampler = new TimerHandle[1];
        Runnable sample = new Runnable() {
            @Override
            public void run() {
                max[0] = Math.max(max[0], towardsClient.writeBufferSize()
                        + fromUpstream.writeBufferSize());
                sampler[0] = loop.callLater(Duration.ofMillis(1), this);
            }
        };
        sample.run();
        runUntil(loop, () -> !fromUpstream.isReading(), "the proxy to stop reading upstream");
        runFor(loop, Duration.ofMillis(100));
        assertFalse(fromUpstream.isReading(), "reading must stay paused while the client stalls");
        assertTrue(max[0] <= bound, "proxy buffered " + max[0] + " bytes, bound " + bound);
        client.transport.resumeReading();
        runUntil(loop, () -> client.lost, "all 16 MiB and the end-of-stream");
        sampler[0].cancel();
        assertArrayEquals(data, client.bytes());
        assertTrue(max[0] <= bound, "proxy buffered " + max[0] + " bytes, bound " + bound);
        assertNoLoopErrors();
    }

    @Test
    void anErrorOnOneSideClosesBoth() {
        EventLoop loop = newLoop();
        Server upstream = server(loop, () -> new Protocol() {
            Transport t;

            @Override
            public void connectionMade(Transport transport) {
                t = transport;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                t.abort(); // reset the proxy's upstream connection
            }
        });
        PipeProxy proxy = new PipeProxy(loop, port(upstream));
        Connection<Recorder> c = connect(loop, Recorder::new, proxy.port());
        c.transport().write(ByteBuffer.wrap("trigger".getBytes(StandardCharsets.US_ASCII)));
        runUntil(loop, () -> c.protocol().lost, "the client to lose its connection");
        assertInstanceOf(IOException.class, c.protocol().lostCause,
                "the upstream reset must reach the client as a reset");
        Pipe pipe = proxy.pipes.get(0);
        run(loop, pipe.whenClosed());
        assertInstanceOf(IOException.class, pipe.error());
        assertNoLoopErrors();
    }

    @Test
    void pipeRejectsBadArguments() {
        EventLoop loop = newLoop();
        Server s = server(loop, Recorder::new);
        Connection<Recorder> a = connect(loop, Recorder::new, port(s));
        Connection<Recorder> b = connect(loop, Recorder::new, port(s));
        assertThrows(IllegalArgumentException.class, () -> Net.pipe(a.transport(), a.transport()));
        assertThrows(NullPointerException.class, () -> Net.pipe(a.transport(), null));
        b.transport().close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Net.pipe(a.transport(), b.transport()));
        assertTrue(e.getMessage().contains("closing"), e.getMessage());
        EventLoop other = newLoop();
        Server s2 = server(other, Recorder::new);
        Supplier<Recorder> f = Recorder::new;
        Connection<Recorder> onOther = run(other, Net.createConnection(other, f, LOCAL, port(s2),
                NetOptions.defaults()));
        e = assertThrows(IllegalArgumentException.class,
                () -> Net.pipe(a.transport(), onOther.transport()));
        assertTrue(e.getMessage().contains("loop"), e.getMessage());
    }
}
