package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.ReadDrainedHint;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * READ by one multishot poll ({@link IoUringRegistration}): a reader that says it drained the
 * socket ({@link ReadDrainedHint}) is reported on every arrival without a poll armed per event;
 * one that does not say so is still served level-triggered (one-shot checks); and by default
 * (no {@code -Dpollen.io_uring.multishot=true}) a poll is armed per event.
 */
class IoUringMultishotTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private Poller poller;
    private ListenSocket listener;
    private StreamSocket server;
    private SocketChannel client;

    @AfterEach
    void close() throws IOException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (listener != null) {
            listener.close();
        }
        if (poller != null) {
            poller.close();
        }
    }

    /** A poller made with {@code -Dpollen.io_uring.multishot=} {@code value}. */
    static Poller pollerWithMultishot(String value) {
        // READ by polls, whatever -Dpollen.io_uring.recv this run has: these tests count polls
        String old = System.getProperty(IoUringPoller.RECV_PROPERTY);
        System.setProperty(IoUringPoller.RECV_PROPERTY, "poll");
        try {
            return IoUringTesting.newPoller(IoUringPoller.MULTISHOT_PROPERTY, value);
        } finally {
            if (old == null) {
                System.clearProperty(IoUringPoller.RECV_PROPERTY);
            } else {
                System.setProperty(IoUringPoller.RECV_PROPERTY, old);
            }
        }
    }

    /** Connects a blocking JDK client to an accepted io_uring socket. */
    private void connect() throws Exception {
        listener = poller.sockets().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                16, SocketOptions.none());
        client = SocketChannel.open(listener.localAddress());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((server = listener.accept()) == null) {
            assertTrue(System.nanoTime() < deadline, "accept did not see the connection in 10 s");
            Thread.sleep(1);
        }
    }

    private void pollUntil(BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "the expected readiness was not reported in 5 s");
            poller.poll(50 * MS);
        }
    }

    private void send(String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            client.write(b);
        }
    }

    /** Reads everything there is, then tells the poller (as StreamTransport does). */
    private final class DrainingReader implements dev.pollen.spi.IoHandler {
        final StringBuilder got = new StringBuilder();
        Registration registration;
        boolean eof;

        @Override
        public void onReady(int readyOps) {
            ByteBuffer buf = ByteBuffer.allocateDirect(64);
            try {
                while (true) {
                    buf.clear();
                    int n = server.read(buf);
                    if (n < 0) {
                        eof = true;
                        registration.interest(0);
                    }
                    if (n <= 0 || n < buf.capacity()) {
                        ((ReadDrainedHint) registration).readDrained();
                        if (n > 0) {
                            buf.flip();
                            got.append(java.nio.charset.StandardCharsets.US_ASCII.decode(buf));
                        }
                        return;
                    }
                    buf.flip();
                    got.append(java.nio.charset.StandardCharsets.US_ASCII.decode(buf));
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void aDrainedReaderIsReportedOnEveryArrivalWithOnePollArmed() throws Exception {
        poller = pollerWithMultishot("true");
        connect();
        DrainingReader reader = new DrainingReader();
        reader.registration = poller.register(server, Poller.READ, reader);
        assertInstanceOf(ReadDrainedHint.class, reader.registration);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            String m = "message " + i + ";";
            expected.append(m);
            send(m);
            int want = expected.length();
            pollUntil(() -> reader.got.length() == want);
        }
        assertEquals(expected.toString(), reader.got.toString());
        // nothing left, nothing reported
        assertEquals(0, poller.poll(0), "a drained socket must not be reported");
        assertEquals(1, ((IoUringRegistration) reader.registration).pollsArmed,
                "one multishot poll serves every arrival of a drained reader");
        client.close();
        client = null;
        pollUntil(() -> reader.eof);
    }

    @Test
    void aReaderThatDoesNotSayItDrainedIsStillServedLevelTriggered() throws Exception {
        poller = pollerWithMultishot("true");
        connect();
        List<Integer> calls = new ArrayList<>();
        Registration reg = poller.register(server, Poller.READ, calls::add);
        send("abcdef");
        pollUntil(() -> !calls.isEmpty());
        for (int i = 0; i < 3; i++) { // bytes left: reported again by every poll
            calls.clear();
            poller.poll(0);
            assertEquals(List.of(Poller.READ), calls, "unread bytes must be reported again");
        }
        ByteBuffer dst = ByteBuffer.allocateDirect(3);
        assertEquals(3, server.read(dst));
        calls.clear();
        poller.poll(0);
        assertEquals(List.of(Poller.READ), calls, "half-read bytes must be reported again");
        dst.clear();
        assertEquals(3, server.read(dst));
        calls.clear();
        poller.poll(0);
        assertTrue(calls.isEmpty(), "consumed bytes must not be reported");
        send("g");
        pollUntil(() -> !calls.isEmpty());
        assertEquals(Poller.READ, calls.get(0), "a new arrival after the check is reported");
        assertTrue(((IoUringRegistration) reg).pollsArmed >= 2, "level checks are one-shot polls");
    }

    @Test
    void aHintWhileBytesAreLeftIsTheCallersMistakeButTheNextArrivalIsReported() throws Exception {
        poller = pollerWithMultishot("true");
        connect();
        List<Integer> calls = new ArrayList<>();
        Registration[] reg = new Registration[1];
        reg[0] = poller.register(server, Poller.READ, ops -> {
            calls.add(ops);
            ((ReadDrainedHint) reg[0]).readDrained(); // wrongly: nothing was read
        });
        send("x");
        pollUntil(() -> !calls.isEmpty());
        calls.clear();
        poller.poll(0);
        assertTrue(calls.isEmpty(), "after the hint, waiting bytes are not checked again (contract)");
        send("y");
        pollUntil(() -> !calls.isEmpty());
        assertEquals(Poller.READ, calls.get(0));
    }

    @Test
    void byDefaultEveryReportArmsAPoll() throws Exception {
        poller = pollerWithMultishot("false");
        connect();
        DrainingReader reader = new DrainingReader();
        reader.registration = poller.register(server, Poller.READ, reader);
        for (int i = 0; i < 5; i++) {
            send("m" + i);
            int want = 2 * (i + 1);
            pollUntil(() -> reader.got.length() == want);
            poller.poll(0); // re-arms the spent poll
        }
        assertEquals("m0m1m2m3m4", reader.got.toString());
        assertTrue(((IoUringRegistration) reader.registration).pollsArmed >= 5,
                "one-shot polls: one armed per report");
    }
}
