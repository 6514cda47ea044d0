package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.posix.NativeMemory;
import dev.pollen.posix.PosixStreamSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Sends through the ring ({@code -Dpollen.io_uring.send=ring}, {@link SendQueue}): a write copies
 * into the socket's buffer and returns; the bytes reach the peer, in order, through
 * {@code IORING_OP_SEND}s submitted with the poller's next wait. A peer that does not read stalls
 * the writer (writes accept 0, WRITE is not reported) until it reads; a reset while bytes are
 * queued surfaces on the next write; close and half-close send every queued byte first; a close
 * hands what is queued to the kernel by {@code send(2)} and keeps nothing when it all fits, and
 * lingers with the rest for a bounded time only (then a reset); closing the poller with a send
 * in flight never frees memory the kernel still reads. The ffm engine
 * sends; on the netty engine (the module's {@code test-netty} execution) the mode falls back to
 * {@code send(2)} and only that is checked here.
 */
class IoUringSendRingTest extends IoUringSocketFixture {

    /** A poller that sends through the ring; skips on the netty engine, which falls back. */
    private Poller ringPoller() {
        Poller p = IoUringTesting.newPoller(IoUringPoller.SEND_PROPERTY, "ring");
        if (!"ffm".equals(((IoUringPoller) p).engine())) {
            p.close();
            assumeTrue(false, "sends through the ring are the ffm engine's only; the netty engine "
                    + "falls back to send(2) (theNettyEngineFallsBackToSystemCalls)");
        }
        return p;
    }

    /** {@link #ringPoller()} with the linger bound of closed sockets set to {@code ms}. */
    private Poller ringPoller(long ms) {
        String old = System.getProperty(IoUringPoller.SEND_LINGER_PROPERTY);
        System.setProperty(IoUringPoller.SEND_LINGER_PROPERTY, Long.toString(ms));
        try {
            return ringPoller();
        } finally {
            if (old == null) {
                System.clearProperty(IoUringPoller.SEND_LINGER_PROPERTY);
            } else {
                System.setProperty(IoUringPoller.SEND_LINGER_PROPERTY, old);
            }
        }
    }

    /** The descriptors this process has open. */
    private static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count() - 1; // the listing's own
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A non-blocking JDK client (receive buffer {@code rcvBuf} if positive) and the io_uring socket that accepted it. */
    private Conn connect(int rcvBuf) throws Exception {
        return connect(rcvBuf, false);
    }



    /**
     * Shrinks {@code server}'s send buffer to 8 KiB, registers it for READ with a handler that
     * does nothing, and writes until the kernel and the send queue take no more.
     *
     * @return the bytes the writes accepted
     */
    private long stallWriter(StreamSocket server) throws IOException {
        server.setOption(StandardSocketOptions.SO_SNDBUF, 8192);
        poller.register(server, Poller.READ, ops -> { });
        return writeUntilStalled(server, 0);
    }

    /** Writes the pattern from {@code from} until writes accept nothing over several waits; returns the end. */
    private long writeUntilStalled(StreamSocket s, long from) throws IOException {
        long off = from;
        int zeros = 0;
        while (zeros < 20) {
            int n = s.write(pattern(off, 8192));
            off += n;
            if (n == 0) {
                zeros++;
                poller.poll(5 * MS);
            } else {
                zeros = 0;
            }
            assertTrue(off - from < 64L * 1024 * 1024, "the writer never stalled");
        }
        return off;
    }

    /** What the client reads while the poller runs; checks the pattern. */
    private static final class Reader {
        long got;
        boolean eof;
        IOException failure;

        /** Reads what is there; false when nothing was. */
        boolean step(SocketChannel c) {
            ByteBuffer b = ByteBuffer.allocate(65536);
            try {
                int n = c.read(b);
                if (n < 0) {
                    eof = true;
                    return false;
                }
                b.flip();
                while (b.hasRemaining()) {
                    byte expected = (byte) (got % 251);
                    byte actual = b.get();
                    if (actual != expected) {
                        throw new AssertionError("byte " + got + " is " + actual + ", expected " + expected
                                + ": the stream lost or reordered bytes");
                    }
                    got++;
                }
                return n > 0;
            } catch (IOException e) {
                failure = e;
                return false;
            }
        }
    }

    /** Reads with the client while polling until {@code done}. */
    private void readUntil(SocketChannel c, Reader r, BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "reader stuck at " + r.got + " bytes (eof " + r.eof
                    + ", failure " + r.failure + ")");
            if (!r.step(c)) {
                poller.poll(2 * MS);
            }
        }
    }

    @Test
    void aBadModeIsOneLineSayingWhatToUse() {
        assertRefused("-Dpollen.io_uring.send='later' is not a way to write on io_uring: use syscall"
                + " (the default) or ring", () -> IoUringPoller.sendThroughRing("later"));
        assertTrue(IoUringPoller.sendThroughRing(" Ring "));
        assertTrue(!IoUringPoller.sendThroughRing("syscall") && !IoUringPoller.sendThroughRing(null));
    }

    @Test
    void theNettyEngineFallsBackToSystemCalls() throws Exception {
        poller = IoUringTesting.newPoller(IoUringPoller.SEND_PROPERTY, "ring");
        Conn conn = connect(0);
        poller.register(conn.server(), 0, ops -> { });
        boolean ffm = "ffm".equals(((IoUringPoller) poller).engine());
        if (ffm) {
            assertInstanceOf(SendQueue.class, ((PosixStreamSocket) conn.server()).writeBehind());
        } else {
            assertNull(((PosixStreamSocket) conn.server()).writeBehind(), "netty: writes stay send(2)");
        }
        assertEquals(3, conn.server().write(pattern(0, 3)));
        Reader r = new Reader();
        readUntil(conn.client(), r, () -> r.got == 3);
    }

    @Test
    void writesFromAHandlerAreSentByTheNextWaitInOneSendForTheBatch() throws Exception {
        poller = ringPoller();
        Conn conn = connect(0);
        StreamSocket server = conn.server();
        long[] off = new long[1];
        int[] queuedInHandler = new int[1];
        int[] peerGotInHandler = {-1};
        Registration[] reg = new Registration[1];
        reg[0] = poller.register(server, Poller.WRITE, ops -> {
            // runs inside the poll (dispatch): every write is copied, none is sent yet
            try {
                ByteBuffer[] gather = {pattern(off[0], 100),
                        ByteBuffer.allocateDirect(100).put(pattern(off[0] + 100, 100)).flip()};
                off[0] += server.write(gather, 0, 2);
                for (int i = 0; i < 50; i++) {
                    off[0] += server.write(pattern(off[0], 10));
                }
                queuedInHandler[0] = queue(server).queuedBytes();
                peerGotInHandler[0] = conn.client().read(ByteBuffer.allocate(1024));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            reg[0].interest(0);
        });
        SendQueue q = queue(server);
        assertEquals(0, q.bufferBytes(), "no memory before the first write");
        pollUntil(() -> off[0] > 0);
        assertEquals(700, off[0]);
        assertEquals(700, queuedInHandler[0], "copied, not sent: the wait after the handler submits them");
        assertEquals(0, peerGotInHandler[0], "nothing reached the peer during the handler");
        Reader r = new Reader();
        readUntil(conn.client(), r, () -> r.got == 700);
        assertEquals(1, q.sendsArmed, "the 51 writes of one dispatch went out in one send");
        assertEquals(SendQueue.INITIAL, q.bufferBytes());
        pollUntil(() -> !q.queued());
    }

    @Test
    void aWriteOutsideAPollIsSubmittedAtOnce() throws Exception {
        poller = ringPoller();
        Conn conn = connect(0);
        StreamSocket server = conn.server();
        poller.register(server, Poller.READ, ops -> { });
        assertEquals(5, server.write(pattern(0, 5)));
        SendQueue q = queue(server);
        assertEquals(1, q.sendsArmed, "submitted by the write itself");
        // the peer gets it without any poll
        ByteBuffer in = ByteBuffer.allocate(16);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        conn.client().configureBlocking(true);
        while (in.position() < 5) {
            assertTrue(System.nanoTime() < deadline);
            conn.client().read(in);
        }
        assertEquals(pattern(0, 5), in.flip());
    }

    @Test
    void aPeerThatDoesNotReadStallsTheWriterUntilItReads() throws Exception {
        poller = ringPoller();
        Conn conn = connect(8192);
        StreamSocket server = conn.server();
        server.setOption(StandardSocketOptions.SO_SNDBUF, 8192);
        int[] writable = new int[1];
        Registration reg = poller.register(server, 0, ops -> {
            if ((ops & Poller.WRITE) != 0) {
                writable[0]++;
            }
        });
        long stalled = writeUntilStalled(server, 0);
        SendQueue q = queue(server);
        assertTrue(q.queued(), "bytes are queued behind the stalled send");
        assertTrue(q.bufferBytes() <= SendQueue.MAX, "the buffer is bounded: " + q.bufferBytes());
        assertTrue(stalled < 4L * 1024 * 1024, "memory did not grow without bound: " + stalled + " bytes accepted");
        reg.interest(Poller.WRITE);
        long until = System.nanoTime() + 300 * MS;
        while (System.nanoTime() < until) {
            poller.poll(20 * MS);
        }
        assertEquals(0, writable[0], "WRITE is not reported while the buffer is full and the peer does not read");
        assertEquals(0, server.write(pattern(stalled, 100)));
        // the peer reads: the sends complete, WRITE comes, the writer resumes
        Reader r = new Reader();
        readUntil(conn.client(), r, () -> writable[0] > 0);
        long total = stalled;
        while (total < stalled + 256 * 1024) {
            int n = server.write(pattern(total, 8192));
            total += n;
            if (n == 0) {
                r.step(conn.client());
                poller.poll(2 * MS);
            }
        }
        reg.interest(0);
        long end = total;
        readUntil(conn.client(), r, () -> r.got == end);
        assertTrue(q.sendsArmed > 2, "partial progress was resubmitted in order: " + q.sendsArmed + " sends");
    }

    @Test
    void aResetWhileBytesAreQueuedSurfacesOnTheNextWrite() throws Exception {
        poller = ringPoller();
        Conn conn = connect(8192);
        StreamSocket server = conn.server();
        server.setOption(StandardSocketOptions.SO_SNDBUF, 8192);
        IOException[] failure = new IOException[1];
        poller.register(server, Poller.WRITE, ops -> {
            try {
                while (server.write(pattern(0, 1024)) > 0) {
                    // fill until it stalls
                }
            } catch (IOException e) {
                failure[0] = e;
            }
        });
        writeUntilStalled(server, 0);
        assertTrue(queue(server).queued());
        conn.client().setOption(StandardSocketOptions.SO_LINGER, 0);
        conn.client().close(); // a reset
        pollUntil(() -> failure[0] != null);
        assertTrue(failure[0].getMessage().contains("write"), failure[0].getMessage());
    }

    @Test
    void closeWithQueuedBytesDeliversEveryByteThenTheEnd() throws Exception {
        poller = ringPoller();
        long before = NativeMemory.outstandingBytes();
        Conn conn = connect(8192);
        StreamSocket server = conn.server();
        long total = stallWriter(server);
        SendQueue q = queue(server);
        assertTrue(q.queuedBytes() > 0);
        server.close();
        Reader r = new Reader();
        readUntil(conn.client(), r, () -> r.eof || r.failure != null);
        assertNull(r.failure);
        assertEquals(total, r.got, "every byte accepted before the close arrived, then the end of stream");
        pollUntil(() -> NativeMemory.outstandingBytes() == before);
    }

    @Test
    void aBadLingerIsOneLineSayingWhatToUse() {
        assertRefused("-Dpollen.io_uring.sendLinger='30s' is not a linger time: use milliseconds from 0 to"
                + " 86400000 (default 30000)", () -> IoUringPoller.sendLinger("30s"));
        assertThrows(IllegalArgumentException.class, () -> IoUringPoller.sendLinger("-1"));
        assertEquals(TimeUnit.SECONDS.toNanos(30), IoUringPoller.sendLinger(null));
        assertEquals(250 * MS, IoUringPoller.sendLinger(" 250 "));
    }

    /**
     * Registers {@code server} for WRITE; its first dispatch writes 3000 bytes of the pattern
     * (copied into the queue, not sent: a dispatch) and closes the socket, running
     * {@code beforeClose} and {@code afterClose} around the close; polls until it happened.
     *
     * @return the socket's send queue
     */
    private SendQueue writeAndCloseInADispatch(StreamSocket server, Runnable beforeClose,
                                               Runnable afterClose) {
        SendQueue[] q = new SendQueue[1];
        poller.register(server, Poller.WRITE, ops -> {
            if (q[0] != null) {
                return;
            }
            try {
                q[0] = queue(server);
                assertEquals(3000, server.write(pattern(0, 3000)));
                beforeClose.run();
                server.close();
                afterClose.run();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        pollUntil(() -> q[0] != null);
        return q[0];
    }

    @Test
    void aCloseWhoseBytesFitInTheKernelKeepsNothing() throws Exception {
        poller = ringPoller();
        long before = NativeMemory.outstandingBytes();
        Conn conn = connect(0);
        StreamSocket server = conn.server();
        long[] fds = new long[2];
        boolean[] sendingAtClose = {true};
        SendQueue[] q = {writeAndCloseInADispatch(server, () -> {
            sendingAtClose[0] = queue(server).inFlight;
            fds[0] = openFds();
        }, () -> fds[1] = openFds())};
        assertTrue(!sendingAtClose[0], "no send was in flight at the close");
        assertEquals(fds[0] - 1, fds[1], "the close left no duplicate of the descriptor open");
        assertEquals(3000, q[0].pushedAtClose, "the close handed every queued byte to the kernel");
        assertEquals(0, q[0].sendsArmed, "no send through the ring was needed");
        assertEquals(0, ((IoUringPoller) poller).lingeringQueues());
        assertEquals(before, NativeMemory.outstandingBytes(), "the buffer was freed by the close");
        Reader r = new Reader();
        readUntil(conn.client(), r, () -> r.eof || r.failure != null);
        assertNull(r.failure);
        assertEquals(3000, r.got, "every byte, then the end of stream");
    }

    @Test
    void aCloseTowardsAPeerThatNeverReadsEndsWithAResetAfterTheBound() throws Exception {
        long bound = 300;
        poller = ringPoller(bound);
        long before = NativeMemory.outstandingBytes();
        long leaked = SendQueue.LEAKED.get();
        long resets = SendQueue.LINGER_RESETS.get();
        Conn conn = connect(8192);
        StreamSocket server = conn.server();
        long total = stallWriter(server);
        SendQueue q = queue(server);
        assertTrue(q.queuedBytes() > 0 && q.bufferBytes() > 0, "bytes wait behind the kernel's full buffer");
        long fds = openFds();
        long closedAt = System.nanoTime();
        server.close();
        assertEquals(fds, openFds(), "a duplicate of the descriptor carries the rest for now");
        assertEquals(1, ((IoUringPoller) poller).lingeringQueues());
        pollUntil(() -> ((IoUringPoller) poller).lingeringQueues() == 0);
        long took = System.nanoTime() - closedAt;
        assertTrue(took >= bound * MS, "the linger ended after " + took / MS + " ms, before its bound");
        assertEquals(fds - 1, openFds(), "the duplicate was closed");
        assertEquals(before, NativeMemory.outstandingBytes(), "the buffer was freed");
        assertEquals(leaked, SendQueue.LEAKED.get(), "freed after the cancelled send completed, not given up");
        assertEquals(resets + 1, SendQueue.LINGER_RESETS.get());
        assertEquals(0, q.bufferBytes());
        Reader r = new Reader();
        readUntil(conn.client(), r, () -> r.eof || r.failure != null);
        assertTrue(r.failure != null && r.got < total, "the peer sees a reset, not the end of a stream of "
                + total + " bytes (got " + r.got + ", eof " + r.eof + ")");
    }

    @Test
    void aSendInFlightAtCloseGoesFirstAndItsCompletionHandsTheRestToTheKernel() throws Exception {
        poller = ringPoller();
        Conn conn = connect(8192);
        StreamSocket server = conn.server();
        server.setOption(StandardSocketOptions.SO_SNDBUF, 8192);
        // fill the kernel's buffers with plain send(2)s: the queue exists from the registration on
        long off = 0;
        for (int zeros = 0; zeros < 10; ) {
            int n = server.write(pattern(off, 8192));
            off += n;
            if (n == 0) {
                zeros++;
                Thread.sleep(5);
            } else {
                zeros = 0;
            }
            assertTrue(off < 64L * 1024 * 1024, "the kernel's buffers never filled");
        }
        long before = NativeMemory.outstandingBytes();
        poller.register(server, Poller.READ, ops -> { });
        SendQueue q = queue(server);
        assertEquals(1000, server.write(pattern(off, 1000))); // submitted at once; waits for room
        off += 1000;
        poller.poll(20 * MS);
        assertTrue(q.inFlight, "the send waits in the kernel");
        assertEquals(500, server.write(pattern(off, 500))); // queued behind it
        off += 500;
        int armed = q.sendsArmed;
        long fds = openFds();
        server.close();
        assertEquals(0, q.pushedAtClose, "nothing overtook the send in flight");
        assertEquals(fds, openFds(), "a duplicate carries the rest after the send in flight");
        Reader r = new Reader();
        readUntil(conn.client(), r, () -> r.eof || r.failure != null);
        assertNull(r.failure);
        long total = off;
        assertEquals(total, r.got, "every byte in order (the pattern is checked), then the end of stream");
        pollUntil(() -> ((IoUringPoller) poller).lingeringQueues() == 0);
        assertEquals(armed, q.sendsArmed, "the rest went to the kernel by send(2) at the send's completion");
        assertEquals(fds - 1, openFds(), "the duplicate was closed");
        assertEquals(before, NativeMemory.outstandingBytes(), "the buffer was freed");
    }

    @Test
    void anAbortiveCloseWithNoSendInFlightFreesAtOnce() throws Exception {
        poller = ringPoller();
        long before = NativeMemory.outstandingBytes();
        Conn conn = connect(0);
        StreamSocket server = conn.server();
        server.setOption(StandardSocketOptions.SO_LINGER, 0);
        SendQueue[] q = {writeAndCloseInADispatch(server, () -> { }, () -> { })};
        assertEquals(0, ((IoUringPoller) poller).lingeringQueues(), "nothing lingers after an abortive close");
        assertEquals(before, NativeMemory.outstandingBytes(), "the buffer was freed by the close");
        assertEquals(0, q[0].pushedAtClose);
        Reader r = new Reader();
        readUntil(conn.client(), r, () -> r.eof || r.failure != null);
        assertTrue(r.failure != null && r.got == 0, "the peer sees a reset and none of the dropped bytes (got "
                + r.got + ", eof " + r.eof + ")");
    }

    @Test
    void halfCloseWithQueuedBytesSendsThemFirst() throws Exception {
        poller = ringPoller();
        Conn conn = connect(8192);
        StreamSocket server = conn.server();
        long total = stallWriter(server);
        server.shutdownOutput();
        Reader r = new Reader();
        readUntil(conn.client(), r, () -> r.eof || r.failure != null);
        assertNull(r.failure);
        assertEquals(total, r.got, "every queued byte, then the end of stream");
        // the other direction is still open
        conn.client().write(ByteBuffer.wrap("back".getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer in = ByteBuffer.allocate(16);
        pollUntil(() -> {
            try {
                server.read(in);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return in.position() == 4;
        });
    }

    @Test
    void anAbortiveCloseDropsQueuedBytesResetsAndFrees() throws Exception {
        poller = ringPoller();
        long before = NativeMemory.outstandingBytes();
        Conn conn = connect(8192);
        StreamSocket server = conn.server();
        long total = stallWriter(server);
        server.setOption(StandardSocketOptions.SO_LINGER, 0);
        server.close();
        pollUntil(() -> NativeMemory.outstandingBytes() == before);
        Reader r = new Reader();
        readUntil(conn.client(), r, () -> r.eof || r.failure != null);
        assertTrue(r.failure != null && r.got < total, "the peer sees a reset before all " + total
                + " bytes (got " + r.got + ", eof " + r.eof + ")");
    }

    @Test
    void closingThePollerWithASendInFlightFreesTheBufferOrCountsIt() throws Exception {
        poller = ringPoller();
        long before = NativeMemory.outstandingBytes();
        long leaked = SendQueue.LEAKED.get();
        Conn conn = connect(8192);
        StreamSocket server = conn.server();
        server.setOption(StandardSocketOptions.SO_SNDBUF, 8192);
        poller.register(server, Poller.READ, ops -> { });
        writeUntilStalled(server, 0);
        assertTrue(queue(server).inFlight, "a send waits in the kernel for the peer to read");
        poller.close();
        poller = null;
        assertEquals(leaked, SendQueue.LEAKED.get(), "the ffm engine waits for the cancelled send");
        assertEquals(before, NativeMemory.outstandingBytes(), "the buffer is freed once the send completed");
        assertNull(((PosixStreamSocket) server).writeBehind(), "the socket writes by itself again");
    }
}
