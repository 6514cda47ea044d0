package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** TCP streams through the layer on the running OS, without a poller. */
@EnabledOnOs(value = {OS.LINUX, OS.MAC, OS.FREEBSD}, disabledReason = "POSIX sockets only")
class PosixStreamSocketTest extends LiveSockets {

    @Test
    void heapAndDirectBuffersBothWayRound() throws Exception {
        StreamSocket[] p = pair();
        ByteBuffer heap = ascii("hello");
        assertEquals(5, p[0].write(heap));
        assertEquals(5, heap.position());
        ByteBuffer direct = ByteBuffer.allocateDirect(16);
        readFully(p[1], direct.limit(5));
        assertEquals("hello", text(direct));

        assertEquals(5, p[1].write(directAscii("world")));
        ByteBuffer into = ByteBuffer.allocate(16);
        readFully(p[0], into.limit(5));
        assertEquals("world", text(into));
    }

    @Test
    void directAddressesHonourThePosition() throws Exception {
        StreamSocket[] p = pair();
        ByteBuffer src = ByteBuffer.allocateDirect(10);
        src.put("xxabcxx".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        src.position(2).limit(5);
        assertEquals(3, p[0].write(src));
        ByteBuffer dst = ByteBuffer.allocateDirect(10);
        dst.put(new byte[] {'-', '-', '-', '-'}).position(4).limit(7);
        readFully(p[1], dst);
        byte[] all = new byte[7];
        dst.get(0, all);
        assertEquals("----abc", new String(all, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void emptyReadsAndWritesMakeNoCallAndReturnZero() throws Exception {
        StreamSocket[] p = pair();
        assertEquals(0, p[1].read(ByteBuffer.allocate(0)));
        assertEquals(0, p[0].write(ByteBuffer.allocateDirect(0)));
        assertEquals(0, p[1].read(ByteBuffer.allocateDirect(8)), "nothing sent: EAGAIN reads 0");
    }

    @Test
    void readOnlyDestinationIsRejected() throws Exception {
        StreamSocket[] p = pair();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p[1].read(ByteBuffer.allocateDirect(4).asReadOnlyBuffer()));
        assertTrue(e.getMessage().contains("read-only"));
    }

    @Test
    void gatheringWriteOfDirectBuffersUsesTheRange() throws Exception {
        StreamSocket[] p = pair();
        ByteBuffer[] srcs = {directAscii("skip"), directAscii("ab"), ByteBuffer.allocateDirect(0),
            directAscii("cde"), directAscii("skip")};
        srcs[3].position(1);
        assertEquals(4, p[0].write(srcs, 1, 3));
        assertFalse(srcs[1].hasRemaining());
        assertFalse(srcs[3].hasRemaining());
        assertEquals(0, srcs[0].position(), "outside the range: untouched");
        ByteBuffer dst = ByteBuffer.allocate(4);
        readFully(p[1], dst);
        assertEquals("abde", text(dst));
        assertEquals(0, p[0].write(srcs, 2, 1), "only empty buffers: nothing to write");
        assertThrows(IndexOutOfBoundsException.class, () -> p[0].write(srcs, 4, 2));
    }

    @Test
    void gatheringWriteWithAHeapBufferCopies() throws Exception {
        StreamSocket[] p = pair();
        ByteBuffer[] srcs = {directAscii("one-"), ascii("two-"), directAscii("three")};
        assertEquals(13, p[0].write(srcs, 0, 3));
        ByteBuffer dst = ByteBuffer.allocateDirect(13);
        readFully(p[1], dst);
        assertEquals("one-two-three", text(dst));
    }

    @Test
    void partialWritesAdvanceExactlyAndBytesArriveIntact() throws Exception {
        StreamSocket[] p = pair();
        byte[] data = new byte[3 << 20];
        new Random(42).nextBytes(data);
        ByteBuffer heapHalf = ByteBuffer.wrap(data, 0, data.length / 2);
        ByteBuffer directHalf = ByteBuffer.allocateDirect(data.length - data.length / 2);
        directHalf.put(data, data.length / 2, directHalf.capacity()).flip();
        ByteBuffer[] srcs = {heapHalf, directHalf};
        ByteBuffer received = ByteBuffer.allocate(data.length);
        ByteBuffer chunk = ByteBuffer.allocate(70_001); // heap, bigger than the copy buffer
        long deadline = System.nanoTime() + 20_000_000_000L;
        long sent = 0;
        while (received.hasRemaining()) {
            assertTrue(System.nanoTime() < deadline, "transfer stalled");
            long before = heapHalf.remaining() + directHalf.remaining();
            long n = heapHalf.hasRemaining() && sent % 2 == 0
                    ? p[0].write(heapHalf) : p[0].write(srcs, 0, 2);
            assertEquals(before - n, heapHalf.remaining() + directHalf.remaining(),
                    "positions must advance by exactly what was written");
            sent += n + 1;
            chunk.clear();
            int r = p[1].read(chunk);
            assertTrue(r <= PosixSocketLayer.COPY_BUFFER_SIZE, "heap reads go through 64 KiB");
            if (r > 0) {
                received.put(chunk.flip());
            }
        }
        assertArrayEquals(data, received.array());
    }

    @Test
    void shutdownOutputIsEndOfStreamForThePeerOnly() throws Exception {
        StreamSocket[] p = pair();
        p[0].write(ascii("last"));
        p[0].shutdownOutput();
        ByteBuffer dst = ByteBuffer.allocate(4);
        readFully(p[1], dst);
        ByteBuffer more = ByteBuffer.allocate(4);
        spin(() -> {
            try {
                return p[1].read(more) == -1;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals(4, p[1].write(ascii("back")));
        ByteBuffer back = ByteBuffer.allocate(4);
        readFully(p[0], back);
        assertEquals("back", text(back));
    }

    @Test
    void writingToAClosedPeerFailsWithTheErrorName() throws Exception {
        StreamSocket[] p = pair();
        p[1].close();
        ByteBuffer junk = ByteBuffer.allocateDirect(64 * 1024);
        SocketException e = assertThrows(SocketException.class, () -> {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                junk.clear();
                p[0].write(junk);
                Thread.sleep(1);
            }
        });
        String port = String.valueOf(((java.net.InetSocketAddress) p[0].remoteAddress()).getPort());
        assertTrue(e.getMessage().matches("write\\(127\\.0\\.0\\.1:" + port
                + "\\): (EPIPE \\(Broken pipe\\)|ECONNRESET \\(Connection reset by peer\\))"),
                e.getMessage());
    }

    @Test
    void closedSocketsThrowAndCloseIsIdempotentAndHooked() throws Exception {
        StreamSocket[] p = pair();
        FdSource s = (FdSource) p[1];
        int fd = s.fd();
        hooked.clear();
        p[1].close();
        p[1].close();
        assertEquals(java.util.List.of(s), hooked, "the hook runs once, for this source");
        assertFalse(p[1].isOpen());
        assertThrows(ClosedChannelException.class, () -> p[1].read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> p[1].write(ascii("x")));
        assertThrows(ClosedChannelException.class, p[1]::shutdownOutput);
        // Nothing in this test opened a file since, so the number is not reused: it is closed.
        assertEquals(-1, Fcntl.fcntl(fd, layer.os().F_GETFD, 0));
        assertEquals("EBADF", layer.os().errno.name(LibC.errno()));
    }

    @Test
    void theHookSeesTheFdStillOpen() throws Exception {
        int[] flagsInHook = {-2};
        PosixSocketLayer checking = new PosixSocketLayer(src ->
                flagsInHook[0] = Fcntl.fcntl(src.fd(), src.layer().os().F_GETFD, 0));
        ListenSocket l = checking.listen(LOOPBACK_0, 1, dev.pollen.spi.SocketOptions.none());
        l.close();
        assertTrue(flagsInHook[0] >= 0, "fcntl on the fd inside the hook must succeed");
    }

    @Test
    void addressesAreReported() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] p = pair(l);
        assertEquals(l.localAddress(), p[0].remoteAddress());
        assertEquals(p[0].localAddress(), p[1].remoteAddress());
        assertEquals(l.localAddress(), p[1].localAddress());
        assertTrue(p[0].toString().contains("connected to 127.0.0.1:"), p[0].toString());
    }

    @Test
    void aRestoredSocketErrorIsReportedOnceWhereTheKernelWouldHave() throws Exception {
        // What a poller does when its readiness report consumed SO_ERROR (libkqueue).
        int reset = layer.os().errno.number("ECONNRESET");
        StreamSocket[] p = pair();
        PosixStreamSocket s = (PosixStreamSocket) p[1];
        assertEquals(3, p[0].write(ascii("abc")));
        s.restoreSocketError(reset);
        s.restoreSocketError(layer.os().errno.number("EPIPE")); // one pending error, as the kernel
        ByteBuffer dst = ByteBuffer.allocate(8);
        readFully(s, dst.limit(3));
        assertEquals("abc", text(dst), "queued data is read before the error");
        SocketException e = assertThrows(SocketException.class, () -> s.read(ByteBuffer.allocate(8)));
        assertTrue(e.getMessage().contains("ECONNRESET"), e.getMessage());
        assertEquals(0, s.read(ByteBuffer.allocate(8)), "reported once: now nothing to read");

        s.restoreSocketError(reset);
        e = assertThrows(SocketException.class, () -> s.write(ascii("x")));
        assertTrue(e.getMessage().contains("ECONNRESET"), e.getMessage());
        assertEquals(1, s.write(ascii("x")), "a write meets the error first, once");

        PosixStreamSocket c = (PosixStreamSocket) p[0];
        assertTrue(c.finishConnect(), "connected: SO_ERROR is not read again");
    }

    @Test
    void aRestoredErrorFailsFinishConnectOfAPendingConnect() throws Exception {
        ListenSocket gone = layer.listen(LOOPBACK_0, 1, dev.pollen.spi.SocketOptions.none());
        java.net.SocketAddress nobody = gone.localAddress();
        gone.close();
        PosixStreamSocket c = (PosixStreamSocket) track(layer.connect(nobody,
                dev.pollen.spi.SocketOptions.none()));
        Thread.sleep(50); // the refusal arrives; a poller that reports it reads SO_ERROR:
        assertEquals(layer.os().errno.number("ECONNREFUSED"), layer.getInt(c.fd(),
                layer.os().SOL_SOCKET, layer.os().SO_ERROR, "SO_ERROR"));
        c.restoreSocketError(layer.os().errno.number("ECONNREFUSED"));
        assertThrows(java.net.ConnectException.class, c::finishConnect);
    }
}
