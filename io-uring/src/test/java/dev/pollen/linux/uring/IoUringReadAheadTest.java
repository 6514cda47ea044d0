package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.posix.NativeMemory;
import dev.pollen.posix.PosixStreamSocket;
import dev.pollen.posix.ReadAhead;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SplicePipe;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Receives ahead of the reader ({@code -Dpollen.io_uring.recv=ahead}, {@link RecvStash}): the
 * reader sees what a {@code read(2)} would have shown, in the same order, through the same
 * {@code StreamSocket} calls. The cases that compare with readiness polls run in both modes
 * ({@code poll} and {@code ahead}) with the same assertions. The module's surefire executions
 * run this class on both engines (ffm, and netty with {@code -Dpollen.io_uring.engine=netty}):
 * the receives are the engine's submissions, everything asserted here is engine-independent.
 */
class IoUringReadAheadTest extends IoUringSocketFixture {

    private static Poller poller(String mode) {
        return IoUringTesting.newPoller(IoUringPoller.RECV_PROPERTY, mode);
    }

    /** A blocking JDK client and the io_uring socket that accepted it. */
    private Conn connect() throws Exception {
        return connect(0, true);
    }

    private static void send(SocketChannel c, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    private static String text(ByteBuffer b) {
        b.flip();
        return StandardCharsets.US_ASCII.decode(b).toString();
    }

    @Test
    void aBadModeIsOneLineSayingWhatToUse() {
        assertRefused("-Dpollen.io_uring.recv='sometimes' is not a way to read on io_uring: use poll"
                + " (the default) or ahead", () -> IoUringPoller.receiveAhead("sometimes"));
        assertTrue(IoUringPoller.receiveAhead(" Ahead "));
        assertTrue(!IoUringPoller.receiveAhead("poll") && !IoUringPoller.receiveAhead(null));
    }

    @Test
    void readsAreServedByReceivesWithoutAPollArmed() throws Exception {
        poller = poller("ahead");
        Conn conn = connect();
        SocketChannel client = conn.client();
        StreamSocket server = conn.server();
        StringBuilder got = new StringBuilder();
        Registration reg = poller.register(server, Poller.READ, ops -> {
            ByteBuffer b = ByteBuffer.allocateDirect(64);
            try {
                int n;
                while ((n = server.read(b)) > 0) {
                    got.append(text(b));
                    b.clear();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertInstanceOf(RecvStash.class, ((PosixStreamSocket) server).readAhead());
        for (int i = 0; i < 20; i++) {
            send(client, "m" + i + ";");
            int want = got.length() + ("m" + i + ";").length();
            pollUntil(() -> got.length() == want);
        }
        assertTrue(got.toString().startsWith("m0;m1;m2;") && got.toString().endsWith("m19;"), got.toString());
        IoUringRegistration r = (IoUringRegistration) reg;
        assertEquals(0, r.pollsArmed, "READ needs no poll when receives are armed");
        assertTrue(r.recvsArmed >= 20, "one receive per arrival, got " + r.recvsArmed);
        assertEquals(0, poller.poll(0), "an empty stash is not reported");
    }

    /** The stash is larger than the reader's buffer: the rest is reported again, with no kernel wait. */
    @ParameterizedTest
    @ValueSource(strings = {"poll", "ahead"})
    void partialReadsLeaveTheRestReportedLevelTriggered(String mode) throws Exception {
        poller = poller(mode);
        Conn conn = connect();
        SocketChannel client = conn.client();
        StreamSocket server = conn.server();
        List<Integer> calls = new ArrayList<>();
        poller.register(server, Poller.READ, calls::add);
        send(client, "abcdefg");
        pollUntil(() -> !calls.isEmpty());
        Thread.sleep(20); // every byte is in (the stash, or the kernel)
        ByteBuffer three = ByteBuffer.allocate(3); // a heap buffer too
        StringBuilder got = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            calls.clear();
            assertEquals(1, poller.poll(0), "bytes left must be reported again at once");
            assertEquals(List.of(Poller.READ), calls);
            three.clear();
            int n = server.read(three);
            assertTrue(n > 0, "read " + n);
            got.append(text(three));
            if (got.length() == 7) {
                break;
            }
        }
        assertEquals("abcdefg", got.toString());
        calls.clear();
        poller.poll(0);
        assertTrue(calls.isEmpty(), "consumed bytes must not be reported");
        ByteBuffer none = ByteBuffer.allocateDirect(8);
        assertEquals(0, server.read(none), "nothing available");
    }

    @ParameterizedTest
    @ValueSource(strings = {"poll", "ahead"})
    void endOfStreamRightAfterDataComesAfterTheData(String mode) throws Exception {
        poller = poller(mode);
        Conn conn = connect();
        SocketChannel client = conn.client();
        StreamSocket server = conn.server();
        StringBuilder got = new StringBuilder();
        boolean[] eof = new boolean[1];
        Registration[] reg = new Registration[1];
        reg[0] = poller.register(server, Poller.READ, ops -> {
            ByteBuffer b = ByteBuffer.allocateDirect(4);
            try {
                int n = server.read(b);
                if (n > 0) {
                    got.append(text(b));
                } else if (n < 0) {
                    assertEquals(-1, server.read(ByteBuffer.allocateDirect(4)), "end of stream stays");
                    eof[0] = true;
                    reg[0].interest(0);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        send(client, "hello, world");
        client.shutdownOutput();
        pollUntil(() -> eof[0]);
        assertEquals("hello, world", got.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"poll", "ahead"})
    void aResetAfterDataComesAfterTheData(String mode) throws Exception {
        poller = poller(mode);
        Conn conn = connect();
        SocketChannel client = conn.client();
        StreamSocket server = conn.server();
        StringBuilder got = new StringBuilder();
        IOException[] failure = new IOException[1];
        Registration[] reg = new Registration[1];
        reg[0] = poller.register(server, Poller.READ, ops -> {
            ByteBuffer b = ByteBuffer.allocateDirect(5);
            try {
                int n = server.read(b);
                if (n > 0) {
                    got.append(text(b));
                } else if (n < 0) {
                    reg[0].interest(0);
                }
            } catch (IOException e) {
                failure[0] = e;
                reg[0].interest(0);
            }
        });
        send(client, "0123456789abcdef");
        Thread.sleep(20); // the data arrives before the reset
        client.setOption(StandardSocketOptions.SO_LINGER, 0);
        client.close();
        pollUntil(() -> failure[0] != null || reg[0].interest() == 0);
        assertEquals("0123456789abcdef", got.toString(), "every byte sent before the reset");
        assertTrue(failure[0] != null, "the reset is an IOException after the data, not end of stream");
        assertTrue(failure[0].getMessage().toLowerCase().contains("reset"), failure[0].getMessage());
    }

    /** READ dropped with a receive in flight: cancelled; what it had already received is kept. */
    @Test
    void interestDroppedWithAReceiveInFlightLosesNothing() throws Exception {
        poller = poller("ahead");
        Conn conn = connect();
        SocketChannel client = conn.client();
        StreamSocket server = conn.server();
        List<Integer> calls = new ArrayList<>();
        Registration reg = poller.register(server, Poller.READ, calls::add);
        poller.poll(0); // arms the receive
        RecvStash stash = (RecvStash) ((PosixStreamSocket) server).readAhead();
        assertTrue(stash.inFlight);
        // 1. the receive completes with data in the kernel before the cancel reaches it
        send(client, "early");
        Thread.sleep(20);
        reg.interest(Poller.WRITE);
        pollUntil(() -> !stash.inFlight);
        // Either the receive took the bytes before the cancel reached it (then they are stashed),
        // or the cancel won and they are still in the kernel: never lost (read below).
        assertTrue(stash.stashed() == 5 || stash.stashed() == ReadAhead.DIRECT,
                "stashed() = " + stash.stashed());
        assertTrue(calls.stream().allMatch(c -> c == Poller.WRITE), "READ is not wanted: " + calls);
        // 2. dropped to 0, re-armed, dropped with nothing received: cancelled, nothing stashed
        reg.interest(0);
        poller.poll(0);
        calls.clear();
        ByteBuffer dst = ByteBuffer.allocateDirect(64);
        reg.interest(Poller.READ);
        pollUntil(() -> !calls.isEmpty());
        assertEquals(List.of(Poller.READ), calls, "the stash is reported as soon as READ is wanted");
        assertEquals(5, server.read(dst));
        assertEquals("early", text(dst));
        dst.clear();
        assertEquals(0, server.read(dst), "nothing more");
        poller.poll(0); // arms a receive again
        assertTrue(stash.inFlight);
        assertEquals(0, server.read(dst), "a receive in flight: the socket does not read itself");
        reg.interest(0);
        poller.poll(0); // submits the cancel
        pollUntil(() -> !stash.inFlight);
        send(client, "late");
        Thread.sleep(20);
        calls.clear();
        poller.poll(0);
        assertTrue(calls.isEmpty(), "interest 0: nothing reported");
        assertEquals(ReadAhead.DIRECT, stash.stashed(), "the cancelled receive took nothing");
        reg.interest(Poller.READ);
        pollUntil(() -> !calls.isEmpty());
        assertEquals(4, server.read(dst));
        assertEquals("late", text(dst));
    }

    /** Closing with a receive in flight: the memory goes back only after the cancel completed. */
    @Test
    void closeWithAReceiveInFlightFreesTheBufferAndClosesTheSocket() throws Exception {
        poller = poller("ahead");
        Conn conn = connect();
        SocketChannel client = conn.client();
        StreamSocket server = conn.server();
        long before = NativeMemory.outstandingBytes();
        poller.register(server, Poller.READ, ops -> { });
        poller.poll(0); // arms the receive: its buffer is allocated
        RecvStash stash = (RecvStash) ((PosixStreamSocket) server).readAhead();
        assertTrue(stash.inFlight);
        assertEquals(before + RecvStash.INITIAL, NativeMemory.outstandingBytes());
        server.close();
        pollUntil(() -> !stash.inFlight);
        assertEquals(before, NativeMemory.outstandingBytes(), "the buffer is freed after the cancel");
        assertNull(((PosixStreamSocket) server).readAhead());
        client.socket().setSoTimeout(5000);
        assertEquals(-1, client.socket().getInputStream().read(), "the peer sees the close at once");
    }

    /** A socket that is spliced hands its stashed bytes to the pipe first, then splices. */
    @Test
    void splicingTakesTheStashFirstThenTheDescriptor() throws Exception {
        poller = poller("ahead");
        Conn a = connect();
        Conn b = connect();
        SocketChannel clientA = a.client();
        StreamSocket serverA = a.server();
        SocketChannel clientB = b.client();
        StreamSocket serverB = b.server();
        List<Integer> calls = new ArrayList<>();
        Registration reg = poller.register(serverA, Poller.READ, calls::add);
        send(clientA, "stashed;");
        pollUntil(() -> !calls.isEmpty()); // in the stash now, unread
        assertEquals(8, ((PosixStreamSocket) serverA).readAhead().stashed());
        SplicePipe pipe = serverA.openSplice(serverB);
        assertTrue(pipe != null, "the POSIX layer splices on Linux");
        try {
            assertTrue(pipe.reserve(), "a kernel pipe to fill");
            send(clientA, "spliced;");
            StringBuilder got = new StringBuilder();
            clientB.configureBlocking(false);
            ByteBuffer in = ByteBuffer.allocate(64);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (got.length() < 16) {
                assertTrue(System.nanoTime() < deadline, "got only " + got);
                calls.clear();
                poller.poll(10 * MS);
                if (!calls.isEmpty() && pipe.reserve()) {
                    while (pipe.fill() > 0) {
                        // fill what there is
                    }
                }
                while (pipe.buffered() > 0 && pipe.drain() > 0) {
                    // drain what the destination takes
                }
                in.clear();
                if (clientB.read(in) > 0) {
                    got.append(text(in));
                }
            }
            assertEquals("stashed;spliced;", got.toString());
            assertNull(((PosixStreamSocket) serverA).readAhead(), "spliced: read-ahead is off");
            assertNull(((IoUringRegistration) reg).stash);
            poller.poll(0);
            assertTrue(((IoUringRegistration) reg).pollsArmed > 0, "READ is polled once spliced");
        } finally {
            pipe.close();
        }
    }

    /** Deregistered with bytes stashed: they stay with the socket for a reader, or a new registration. */
    @Test
    void bytesStashedWhenTheRegistrationEndsStayWithTheSocket() throws Exception {
        poller = poller("ahead");
        Conn conn = connect();
        SocketChannel client = conn.client();
        StreamSocket server = conn.server();
        List<Integer> calls = new ArrayList<>();
        Registration reg = poller.register(server, Poller.READ, calls::add);
        send(client, "kept");
        pollUntil(() -> !calls.isEmpty());
        reg.cancel();
        poller.poll(0);
        Poller other = IoUringTesting.newPoller();
        try {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> other.sockets().adopt(server));
            assertTrue(refused.getMessage().contains("received ahead"), refused.getMessage());
        } finally {
            other.close();
        }
        calls.clear();
        poller.register(server, Poller.READ, calls::add);
        pollUntil(() -> !calls.isEmpty());
        ByteBuffer dst = ByteBuffer.allocateDirect(16);
        assertEquals(4, server.read(dst));
        assertEquals("kept", text(dst));
    }

    /**
     * Closing the poller with a receive in flight: the ffm engine cancels it and waits for its
     * completion, so the buffer goes back; Netty's ring may tear down first, and then the buffer
     * is kept for good and counted ({@link RecvStash#LEAKED}), never freed under the kernel.
     */
    @Test
    void closingThePollerWithAReceiveInFlightFreesTheBufferOrCountsIt() throws Exception {
        poller = poller("ahead");
        StreamSocket server = connect().server();
        long before = NativeMemory.outstandingBytes();
        long leaked = RecvStash.LEAKED.get();
        poller.register(server, Poller.READ, ops -> { });
        poller.poll(0); // arms the receive
        RecvStash stash = (RecvStash) ((PosixStreamSocket) server).readAhead();
        assertTrue(stash.inFlight);
        boolean ffm = "ffm".equals(((IoUringPoller) poller).engine());
        poller.close();
        if (ffm) {
            assertEquals(leaked, RecvStash.LEAKED.get(), "the ffm engine waits for the cancelled receive");
            assertEquals(before, NativeMemory.outstandingBytes(), "the buffer is freed once it completed");
            assertNull(((PosixStreamSocket) server).readAhead(), "the socket reads its descriptor itself");
        } else {
            assertTrue(NativeMemory.outstandingBytes() == before
                            || RecvStash.LEAKED.get() == leaked + 1,
                    "the buffer is freed after its completion, or kept and counted");
        }
    }
}
