package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Protocol;
import dev.pollen.net.SendfileNotAvailableException;
import dev.pollen.net.SendfileStats;
import dev.pollen.net.Server;
import dev.pollen.net.Transport;
import dev.pollen.net.tls.TlsConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link Net#sendfile} contract on a backend: byte-exact transfers of a whole file and of a
 * range, the file position afterwards, flow control against a slow reader (no busy polling on the
 * zero-copy path), the user's protocol restored, a peer reset mid-way, cancellation, writes
 * refused during a zero-copy transfer, the {@code fallback} switch, bad arguments; and, through
 * {@link Net#sendfileStats}, that each transfer took the path the backend promises
 * ({@link KitBackend#sendfileZeroCopy()}). Ports the applicable cases of CPython's
 * {@code Lib/test/test_asyncio/test_sendfile.py} (named on each test).
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class SendfileContract extends NetFixture {

    @TempDir
    Path dir;

    /** Collects everything a connection receives until it ends. */
    static class Sink implements Protocol {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        Transport transport;
        Future<byte[]> done;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            done = t.loop().createFuture();
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            got.writeBytes(b);
        }

        @Override
        public void connectionLost(Throwable cause) {
            done.setResult(got.toByteArray());
        }
    }

    /** A client protocol that only counts what flow control tells it. */
    static final class Client implements Protocol {
        int pauses;
        int resumes;

        @Override
        public void pauseWriting() {
            pauses++;
        }

        @Override
        public void resumeWriting() {
            resumes++;
        }
    }

    private Path file(byte[] content) throws IOException {
        Path p = dir.resolve("data.bin");
        Files.write(p, content);
        return p;
    }

    private record Outcome(long sent, long position, byte[] received, boolean restored,
            SendfileStats stats) {
    }

    /** {@code after - before}, field by field. */
    static SendfileStats delta(SendfileStats before, SendfileStats after) {
        return new SendfileStats(after.kernelBytes() - before.kernelBytes(),
                after.kernelCalls() - before.kernelCalls(),
                after.wouldBlockCalls() - before.wouldBlockCalls(),
                after.fallbackBytes() - before.fallbackBytes(),
                after.zeroCopyRuns() - before.zeroCopyRuns(),
                after.fallbackRuns() - before.fallbackRuns());
    }

    /** The transfer of {@code sent} bytes took the path the backend promises, all of it. */
    private void assertPath(SendfileStats d, long sent) {
        if (backend().sendfileZeroCopy()) {
            assertEquals(1, d.zeroCopyRuns(), () -> "zero-copy path expected: " + d);
            assertEquals(sent, d.kernelBytes(), () -> "every byte through the kernel: " + d);
            assertEquals(0, d.fallbackBytes(), () -> "nothing through the fallback: " + d);
        } else {
            assertEquals(1, d.fallbackRuns(), () -> "the read/write fallback expected: " + d);
            assertEquals(sent, d.fallbackBytes(), () -> "every byte through the fallback: " + d);
            assertEquals(0, d.kernelCalls(), () -> "no kernel transfer: " + d);
        }
    }

    private Outcome send(byte[] content, long offset, long count, NetOptions options)
            throws IOException {
        EventLoop loop = newLoop();
        Sink[] sink = new Sink[1];
        Server s = server(loop, () -> sink[0] = new Sink(), options);
        Client client = new Client();
        Connection<Client> c = connect(loop, () -> client, port(s), options);
        try (FileChannel ch = FileChannel.open(file(content), StandardOpenOption.READ)) {
            SendfileStats before = Net.sendfileStats(loop);
            long sent = run(loop, count == Long.MIN_VALUE ? Net.sendfile(c.transport(), ch)
                    : Net.sendfile(c.transport(), ch, offset, count));
            SendfileStats d = delta(before, Net.sendfileStats(loop));
            boolean restored = c.transport().getProtocol() == client && c.transport().isReading();
            long position = ch.position();
            c.transport().close();
            runUntil(loop, () -> sink[0] != null && sink[0].done.isDone(), "server sees the end");
            return new Outcome(sent, position, sink[0].done.result(), restored, d);
        }
    }

    // test_sendfile: test_sendfile (the whole file)
    @Test
    void wholeFileByteExact() throws IOException {
        byte[] data = NetFixture.randomBytes(3 * 1024 * 1024 + 11, 7);
        Outcome o = send(data, 0, Long.MIN_VALUE, NetOptions.defaults());
        assertEquals(data.length, o.sent());
        assertEquals(data.length, o.position());
        assertArrayEquals(data, o.received());
        assertTrue(o.restored(), "the user's protocol is back and reading resumed");
        assertPath(o.stats(), data.length);
    }

    // test_sendfile: test_sendfile_partial (offset and count)
    @Test
    void rangeByteExact() throws IOException {
        byte[] data = NetFixture.randomBytes(500_000, 8);
        Outcome o = send(data, 1000, 300_001, NetOptions.defaults());
        assertEquals(300_001, o.sent());
        assertEquals(301_001, o.position());
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 301_001), o.received());
        assertPath(o.stats(), 300_001);
    }

    // test_sendfile: a count past the end sends to the end
    @Test
    void countPastTheEnd() throws IOException {
        byte[] data = NetFixture.randomBytes(100_000, 9);
        Outcome o = send(data, 99_000, 5_000_000, NetOptions.defaults());
        assertEquals(1000, o.sent());
        assertEquals(100_000, o.position());
        assertArrayEquals(Arrays.copyOfRange(data, 99_000, 100_000), o.received());
        assertPath(o.stats(), 1000);
    }

    // test_sendfile: test_sendfile_empty
    @Test
    void emptyFile() throws IOException {
        Outcome o = send(new byte[0], 0, Long.MIN_VALUE, NetOptions.defaults());
        assertEquals(0, o.sent());
        assertEquals(0, o.received().length);
    }

    // Flow control: against a reader that pauses, the write buffer stays near the high mark
    @Test
    void flowControlAgainstASlowReader() throws IOException {
        EventLoop loop = newLoop();
        byte[] data = NetFixture.randomBytes(8 * 1024 * 1024, 10);
        Sink[] sink = new Sink[1];
        Server s = server(loop, () -> {
            sink[0] = new Sink();
            return sink[0];
        }, SMALL_BUFFERS);
        Client client = new Client();
        Connection<Client> c = connect(loop, () -> client, port(s), SMALL_BUFFERS);
        runUntil(loop, () -> sink[0] != null && sink[0].transport != null, "accepted");
        sink[0].transport.pauseReading();
        // While the reader is paused (from 100 ms on both sides' buffers are full), a transfer
        // that waits for readiness makes no kernel calls; a busy loop would make thousands.
        SendfileStats[] stalled = new SendfileStats[2];
        loop.callLater(Duration.ofMillis(100), () -> stalled[0] = Net.sendfileStats(loop));
        loop.callLater(Duration.ofMillis(300), () -> {
            stalled[1] = Net.sendfileStats(loop);
            sink[0].transport.resumeReading();
        });
        SendfileStats before = Net.sendfileStats(loop);
        long[] maxBuffered = new long[1];
        Runnable[] sample = new Runnable[1];
        sample[0] = () -> {
            maxBuffered[0] = Math.max(maxBuffered[0], c.transport().writeBufferSize());
            if (!c.transport().isClosing()) {
                loop.callLater(Duration.ofMillis(1), sample[0]);
            }
        };
        loop.callSoon(sample[0]);
        try (FileChannel ch = FileChannel.open(file(data), StandardOpenOption.READ)) {
            assertEquals(data.length, run(loop, Net.sendfile(c.transport(), ch)));
        }
        assertPath(delta(before, Net.sendfileStats(loop)), data.length);
        SendfileStats paused = delta(stalled[0], stalled[1]);
        assertTrue(paused.kernelCalls() <= 2, () -> "kernel calls while the reader was paused "
                + "(expected none: the transfer waits for WRITE readiness): " + paused);
        c.transport().close();
        runUntil(loop, () -> sink[0].done.isDone(), "server sees the end");
        assertArrayEquals(data, sink[0].done.result());
        long bound = c.transport().writeBufferHighWater() + 64 * 1024;
        assertTrue(maxBuffered[0] <= bound, "write buffer reached " + maxBuffered[0]
                + " bytes, more than the high mark plus one chunk (" + bound + ")");
        assertEquals(client.pauses, client.resumes, "the user's protocol ends unpaused");
    }

    // test_sendfile: test_sendfile_not_supported / bad arguments are refused at once
    @Test
    void badArguments() throws IOException {
        EventLoop loop = newLoop();
        Server s = server(loop, Sink::new);
        Connection<Client> c = connect(loop, Client::new, port(s));
        try (FileChannel ch = FileChannel.open(file(new byte[10]), StandardOpenOption.READ)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Net.sendfile(c.transport(), ch, -1, 5));
            assertTrue(e.getMessage().contains("offset"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Net.sendfile(c.transport(), ch, 0, 0));
            assertTrue(e.getMessage().contains("count"), e.getMessage());
            c.transport().close();
            IllegalStateException closed = assertThrows(IllegalStateException.class,
                    () -> Net.sendfile(c.transport(), ch));
            assertTrue(closed.getMessage().contains("closing"), closed.getMessage());
            assertSame(c.protocol(), c.transport().getProtocol());
        }
    }

    /** A server protocol that stops reading at once, so the sender fills every buffer. */
    static final class Stalled extends Sink {
        @Override
        public void connectionMade(Transport t) {
            super.connectionMade(t);
            t.pauseReading();
        }
    }

    // test_sendfile: test_sendfile_close_peer_in_the_middle_of_receiving
    @Test
    void peerResetMidwayFailsWithWhatWasSent() throws IOException {
        EventLoop loop = newLoop();
        byte[] data = NetFixture.randomBytes(16 * 1024 * 1024, 11);
        Stalled[] sink = new Stalled[1];
        Server s = server(loop, () -> sink[0] = new Stalled(), SMALL_BUFFERS);
        Client client = new Client();
        Connection<Client> c = connect(loop, () -> client, port(s), SMALL_BUFFERS);
        runUntil(loop, () -> sink[0] != null && sink[0].transport != null, "accepted");
        loop.callLater(Duration.ofMillis(150), () -> sink[0].transport.abort()); // RST
        try (FileChannel ch = FileChannel.open(file(data), StandardOpenOption.READ)) {
            Throwable e = runExpectingFailure(loop, Net.sendfile(c.transport(), ch));
            SocketException se = assertInstanceOf(SocketException.class, e);
            assertTrue(se.getMessage().startsWith("Connection lost during sendfile"),
                    se.getMessage());
            long position = ch.position();
            assertTrue(position > 0 && position < data.length, "position " + position);
            if (backend().sendfileZeroCopy()) {
                assertTrue(se.getMessage().contains("after " + position + " bytes"),
                        () -> "the message counts the bytes sent, " + position + ": "
                                + se.getMessage());
            }
        }
        runUntil(loop, () -> c.transport().isClosing(), "the client transport closes");
        assertNoLoopErrors();
    }

    // asyncio: transport.write during loop.sendfile raises RuntimeError on the native path
    @Test
    void writesAreRefusedDuringAZeroCopyTransfer() throws IOException {
        assumeTrue(backend().sendfileZeroCopy(), "the read/write fallback does not refuse writes "
                + "(asyncio's fallback neither); this backend has no zero-copy path");
        EventLoop loop = newLoop();
        byte[] data = NetFixture.randomBytes(4 * 1024 * 1024, 12);
        Sink[] sink = new Sink[1];
        Server s = server(loop, () -> sink[0] = new Sink(), SMALL_BUFFERS);
        Connection<Client> c = connect(loop, Client::new, port(s), SMALL_BUFFERS);
        byte[] head = "head:".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ":tail".getBytes(StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(file(data), StandardOpenOption.READ)) {
            c.transport().write(ByteBuffer.wrap(head)); // flushed before the file
            Future<Long> f = Net.sendfile(c.transport(), ch, 0, -1, false);
            IllegalStateException w = assertThrows(IllegalStateException.class,
                    () -> c.transport().write(ByteBuffer.wrap(tail)));
            assertTrue(w.getMessage().contains("sendfile is in progress"), w.getMessage());
            assertThrows(IllegalStateException.class, () -> c.transport().writeEof());
            IllegalStateException again = assertThrows(IllegalStateException.class,
                    () -> Net.sendfile(c.transport(), ch));
            assertTrue(again.getMessage().contains("already in progress"), again.getMessage());
            assertEquals(data.length, run(loop, f));
            c.transport().write(ByteBuffer.wrap(tail)); // writable again afterwards
        }
        c.transport().close();
        runUntil(loop, () -> sink[0] != null && sink[0].done.isDone(), "server sees the end");
        byte[] expected = new byte[head.length + data.length + tail.length];
        System.arraycopy(head, 0, expected, 0, head.length);
        System.arraycopy(data, 0, expected, head.length, data.length);
        System.arraycopy(tail, 0, expected, head.length + data.length, tail.length);
        assertArrayEquals(expected, sink[0].done.result(), "head, file and tail in order");
    }

    // test_sendfile: test_sendfile_cancel (the transfer stops, the transport stays usable)
    @Test
    void cancellingStopsTheTransferAndKeepsTheTransport() throws IOException {
        EventLoop loop = newLoop();
        byte[] data = NetFixture.randomBytes(16 * 1024 * 1024, 13);
        Stalled[] sink = new Stalled[1];
        Server s = server(loop, () -> sink[0] = new Stalled(), SMALL_BUFFERS);
        Connection<Client> c = connect(loop, Client::new, port(s), SMALL_BUFFERS);
        runUntil(loop, () -> sink[0] != null && sink[0].transport != null, "accepted");
        try (FileChannel ch = FileChannel.open(file(data), StandardOpenOption.READ)) {
            SendfileStats before = Net.sendfileStats(loop);
            Future<Long> f = Net.sendfile(c.transport(), ch);
            loop.callLater(Duration.ofMillis(150), f::cancel);
            // a cancelled future is done at once; the transfer winds down right after
            runUntil(loop, () -> f.isDone() && c.transport().isReading(), "the sendfile ends");
            assertTrue(f.isCancelled(), "cancelled: " + f);
            long position = ch.position();
            assertTrue(position > 0 && position < data.length, "position " + position);
            if (backend().sendfileZeroCopy()) {
                SendfileStats d = delta(before, Net.sendfileStats(loop));
                assertEquals(position, d.kernelBytes(), () -> "position is just past the bytes "
                        + "the kernel sent: " + d);
                assertEquals(0, c.transport().writeBufferSize(), "nothing buffered");
            }
            assertFalse(c.transport().isClosing(), "the transport stays open");
            assertTrue(c.transport().isReading(), "reading resumed");
            c.transport().write(ByteBuffer.wrap(new byte[] {1, 2, 3})); // writable again
        }
        sink[0].transport.resumeReading();
        c.transport().close();
        runUntil(loop, () -> sink[0].done.isDone(), "server sees the end");
        assertNoLoopErrors();
    }

    // test_sendfile: test_sendfile_no_fallback on a plain connection: works where zero-copy is
    @Test
    void noFallbackOnAPlainConnection() throws IOException {
        EventLoop loop = newLoop();
        byte[] data = NetFixture.randomBytes(200_000, 14);
        Sink[] sink = new Sink[1];
        Server s = server(loop, () -> sink[0] = new Sink());
        Connection<Client> c = connect(loop, Client::new, port(s));
        try (FileChannel ch = FileChannel.open(file(data), StandardOpenOption.READ)) {
            if (backend().sendfileZeroCopy()) {
                assertEquals(data.length, run(loop, Net.sendfile(c.transport(), ch, 0, -1,
                        false)));
            } else {
                SendfileNotAvailableException e = assertThrows(
                        SendfileNotAvailableException.class,
                        () -> Net.sendfile(c.transport(), ch, 0, -1, false));
                assertTrue(e.getMessage().contains("fallback"), e.getMessage());
                assertEquals(0, ch.position(), "nothing sent, position untouched");
                assertTrue(c.transport().isReading(), "the transport is untouched");
            }
        }
        c.transport().close();
        runUntil(loop, () -> sink[0] != null && sink[0].done.isDone(), "server sees the end");
        if (backend().sendfileZeroCopy()) {
            assertArrayEquals(data, sink[0].done.result());
        }
    }

    // test_sendfile: TLS keeps the fallback; fallback=false raises SendfileNotAvailableError
    @Test
    void tlsKeepsTheFallbackAndRefusesNoFallback() throws IOException {
        EventLoop loop = newLoop();
        byte[] data = NetFixture.randomBytes(300_000, 15);
        Sink[] sink = new Sink[1];
        TlsConfig serverTls = TlsConfig.forServer(TlsMaterial.keys("server")).build();
        TlsConfig clientTls = TlsConfig.forClient().trustPem(TlsMaterial.path("ca.pem")).build();
        Server s = run(loop, Net.createServer(loop, () -> sink[0] = new Sink(), LOCAL, 0,
                NetOptions.defaults(), serverTls));
        Connection<Client> c = run(loop, Net.createConnection(loop, Client::new, "localhost",
                port(s), NetOptions.defaults(), clientTls));
        try (FileChannel ch = FileChannel.open(file(data), StandardOpenOption.READ)) {
            SendfileNotAvailableException e = assertThrows(SendfileNotAvailableException.class,
                    () -> Net.sendfile(c.transport(), ch, 0, -1, false));
            assertTrue(e.getMessage().contains("TLS"), e.getMessage());
            SendfileStats before = Net.sendfileStats(loop);
            assertEquals(data.length, run(loop, Net.sendfile(c.transport(), ch)));
            SendfileStats d = delta(before, Net.sendfileStats(loop));
            assertEquals(1, d.fallbackRuns(), () -> "TLS takes the fallback: " + d);
            assertEquals(0, d.kernelCalls(), () -> "no kernel transfer under TLS: " + d);
        }
        c.transport().close();
        runUntil(loop, () -> sink[0] != null && sink[0].done.isDone(), "server sees the end");
        assertArrayEquals(data, sink[0].done.result());
    }
}
