package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Protocol;
import dev.pollen.net.Server;
import dev.pollen.net.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
 * range, the file position afterwards, flow control against a slow reader, the user's protocol
 * restored, bad arguments. Ports the applicable cases of CPython's
 * {@code Lib/test/test_asyncio/test_sendfile.py} (named on each test).
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class SendfileContract extends NetFixture {

    @TempDir
    Path dir;

    /** Collects everything a connection receives until it ends. */
    static final class Sink implements Protocol {
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

    private record Outcome(long sent, long position, byte[] received, boolean restored) {
    }

    private Outcome send(byte[] content, long offset, long count, NetOptions options)
            throws IOException {
        EventLoop loop = newLoop();
        Sink[] sink = new Sink[1];
        Server s = server(loop, () -> sink[0] = new Sink(), options);
        Client client = new Client();
        Connection<Client> c = connect(loop, () -> client, port(s), options);
        try (FileChannel ch = FileChannel.open(file(content), StandardOpenOption.READ)) {
            long sent = run(loop, count == Long.MIN_VALUE ? Net.sendfile(c.transport(), ch)
                    : Net.sendfile(c.transport(), ch, offset, count));
            boolean restored = c.transport().getProtocol() == client && c.transport().isReading();
            long position = ch.position();
            c.transport().close();
            runUntil(loop, () -> sink[0] != null && sink[0].done.isDone(), "server sees the end");
            return new Outcome(sent, position, sink[0].done.result(), restored);
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
    }

    // test_sendfile: test_sendfile_partial (offset and count)
    @Test
    void rangeByteExact() throws IOException {
        byte[] data = NetFixture.randomBytes(500_000, 8);
        Outcome o = send(data, 1000, 300_001, NetOptions.defaults());
        assertEquals(300_001, o.sent());
        assertEquals(301_001, o.position());
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 301_001), o.received());
    }

    // test_sendfile: a count past the end sends to the end
    @Test
    void countPastTheEnd() throws IOException {
        byte[] data = NetFixture.randomBytes(100_000, 9);
        Outcome o = send(data, 99_000, 5_000_000, NetOptions.defaults());
        assertEquals(1000, o.sent());
        assertEquals(100_000, o.position());
        assertArrayEquals(Arrays.copyOfRange(data, 99_000, 100_000), o.received());
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
        loop.callLater(Duration.ofMillis(300), () -> sink[0].transport.resumeReading());
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
}
