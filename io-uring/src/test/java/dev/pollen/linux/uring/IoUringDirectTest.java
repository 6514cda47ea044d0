package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.posix.PosixStreamSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Large transfers leave the ring ({@code -Dpollen.io_uring.directFrom}, 16 KiB by default): a
 * write of at least that size to an empty send queue is sent with {@code send(2)}, not copied;
 * a receive that filled a buffer of at least that size hands the stream to direct reads until a
 * read returns less. Bytes stay in order either way. Sends through the ring are the ffm engine's
 * only, so those cases skip on the netty engine; the receive case runs on both.
 */
class IoUringDirectTest extends IoUringSocketFixture {

    private static final int BIG = 32 * 1024;

    /** A poller with the given modes; skips on the netty engine when it must send through the ring. */
    private static Poller poller(String send, String recv, String directFrom) {
        Poller p = IoUringTesting.newPoller(Map.of(IoUringPoller.SEND_PROPERTY, send,
                IoUringPoller.RECV_PROPERTY, recv, IoUringPoller.DIRECT_FROM_PROPERTY, directFrom));
        if (send.equals("ring") && !"ffm".equals(((IoUringPoller) p).engine())) {
            p.close();
            assumeTrue(false, "sends through the ring are the ffm engine's only");
        }
        return p;
    }



    /** Reads {@code total} bytes of the pattern with the (blocking) client, polling meanwhile. */
    private void peerReads(SocketChannel c, long total) throws IOException {
        c.configureBlocking(false);
        ByteBuffer b = ByteBuffer.allocate(65536);
        long got = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got < total) {
            assertTrue(System.nanoTime() < deadline, "the peer got " + got + " of " + total + " bytes");
            b.clear();
            int n = c.read(b);
            if (n <= 0) {
                poller.poll(2 * MS);
                continue;
            }
            for (int i = 0; i < n; i++, got++) {
                assertEquals((byte) (got % 251), b.get(i), "byte " + got + ": lost or reordered");
            }
        }
    }

    @Test
    void aBadSizeIsOneLineSayingWhatToUse() {
        assertRefused("-Dpollen.io_uring.directFrom='big' is not a size: use a number of bytes "
                + "(default 16384) or never", () -> IoUringPoller.directFrom("big"));
        assertThrows(IllegalArgumentException.class, () -> IoUringPoller.directFrom("0"));
        assertEquals(16384, IoUringPoller.directFrom(null));
        assertEquals(4096, IoUringPoller.directFrom(" 4096 "));
        assertEquals(Integer.MAX_VALUE, IoUringPoller.directFrom("Never"));
    }

    @Test
    void aLargeWriteToAnEmptyQueueIsSentDirectlyAndASmallOneIsQueued() throws Exception {
        poller = poller("ring", "poll", "16384");
        Conn conn = connect(0, false);
        StreamSocket server = conn.server();
        poller.register(server, Poller.READ, ops -> { });
        SendQueue q = queue(server);
        assertEquals(100, server.write(directPattern(0, 100)));
        assertEquals(1, q.sendsArmed, "a small write goes through the ring");
        pollUntil(() -> !q.queued());
        int n = server.write(directPattern(100, BIG));
        assertTrue(n > SendQueue.INITIAL, "send(2) took " + n + " bytes, more than the queue's buffer holds");
        assertEquals(1, q.sendsArmed, "no send through the ring for the large write");
        assertFalse(q.queued(), "nothing copied into the queue");
        peerReads(conn.client(), 100 + n);
    }

    @Test
    void aLargeWriteBehindQueuedBytesIsQueuedSoItCannotOvertakeThem() throws Exception {
        poller = poller("ring", "poll", "16384");
        Conn conn = connect(0, false);
        StreamSocket server = conn.server();
        long[] written = new long[1];
        Registration[] reg = new Registration[1];
        reg[0] = poller.register(server, Poller.WRITE, ops -> {
            try { // inside a dispatch: the small write waits in the queue for the next wait
                written[0] += server.write(directPattern(0, 10));
                written[0] += server.write(directPattern(10, BIG));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            reg[0].interest(0);
        });
        pollUntil(() -> written[0] > 0);
        assertEquals(10 + SendQueue.INITIAL - 10, written[0], "the large write filled the queue's buffer behind the small one");
        peerReads(conn.client(), written[0]);
    }

    @Test
    void withDirectFromNeverLargeWritesStayInTheRing() throws Exception {
        poller = poller("ring", "poll", "never");
        Conn conn = connect(0, false);
        StreamSocket server = conn.server();
        poller.register(server, Poller.READ, ops -> { });
        assertEquals(SendQueue.INITIAL, server.write(directPattern(0, BIG)), "copied up to the buffer's size");
        assertEquals(1, queue(server).sendsArmed);
        peerReads(conn.client(), SendQueue.INITIAL);
    }

    @Test
    void aBulkStreamIsReadDirectlyAndSmallMessagesGoBackToReceives() throws Exception {
        poller = poller("syscall", "ahead", "16384");
        Conn conn = connect(0, true);
        StreamSocket server = conn.server();
        long[] got = new long[1];
        boolean[] sawDirect = new boolean[1];
        Registration reg = poller.register(server, Poller.READ, ops -> {
            ByteBuffer b = ByteBuffer.allocateDirect(65536);
            try {
                int n;
                while ((n = server.read(b)) > 0) {
                    // a filled 16 KiB receive says so at once (a later short read may end it)
                    sawDirect[0] |= ((RecvStash) ((PosixStreamSocket) server).readAhead()).direct;
                    for (int i = 0; i < n; i++, got[0]++) {
                        assertEquals((byte) (got[0] % 251), b.get(i), "byte " + got[0]);
                    }
                    b.clear();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        IoUringRegistration r = (IoUringRegistration) reg;
        RecvStash st = assertInstanceOf(RecvStash.class, ((PosixStreamSocket) server).readAhead());
        long bulk = 4L * 1024 * 1024;
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                for (long off = 0; off < bulk; off += 65536) {
                    ByteBuffer b = directPattern(off, 65536);
                    while (b.hasRemaining()) {
                        conn.client().write(b);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Thread.sleep(200); // the socket buffers fill before the first poll: receives fill theirs
        pollUntil(() -> got[0] == bulk);
        writer.join();
        assertTrue(sawDirect[0], "the bulk stream went to direct reads");
        int receivesForBulk = r.recvsArmed;
        assertTrue(receivesForBulk < 64, receivesForBulk + " receives for 4 MiB: the bulk stream was "
                + "copied through the stash instead of read directly");
        for (int i = 0; i < 5; i++) { // small messages: back to receives ahead
            long want = got[0] + 10;
            ByteBuffer b = directPattern(got[0], 10);
            while (b.hasRemaining()) {
                conn.client().write(b);
            }
            pollUntil(() -> got[0] == want);
        }
        assertFalse(st.direct, "a small read ends direct reads");
        assertTrue(r.recvsArmed >= receivesForBulk + 4, "small messages are received ahead again ("
                + (r.recvsArmed - receivesForBulk) + " receives for 5 messages)");
    }
}
