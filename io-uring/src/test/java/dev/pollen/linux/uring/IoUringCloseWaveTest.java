package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A wave of closes inside one dispatch ({@link IoUringPoller#beforeClose}): each close of a
 * socket whose poll is armed submits that poll's removal at once, and nothing else. The polls
 * this wait spent (among them those of registrations the dispatch has not reached yet, whose
 * sockets are still readable) are armed again by the next wait, once, not at every close (which
 * made a wave of N closes cost about N²/2 polls, each completing at once).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IoUringCloseWaveTest {

    private static final int PAIRS = 40;

    private Poller poller;
    private ListenSocket listener;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (listener != null) {
            listener.close();
        }
        if (poller != null) {
            poller.close();
        }
    }

    /** An accepted io_uring socket and its blocking JDK client: [the client, the accepted]. */
    private Object[] connect() throws Exception {
        SocketChannel client = SocketChannel.open(listener.localAddress());
        open.add(client);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        StreamSocket accepted;
        while ((accepted = listener.accept()) == null) {
            assertTrue(System.nanoTime() < deadline, "accept did not see the connection in 10 s");
            Thread.sleep(1);
        }
        open.add(accepted);
        return new Object[] {client, accepted};
    }

    @Test
    void closesDuringADispatchRemoveTheirPollsAndReArmNothingElse() throws Exception {
        poller = IoUringMultishotTest.pollerWithMultishot("false"); // READ by one-shot polls
        listener = poller.sockets().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                2 * PAIRS, SocketOptions.none());
        SocketChannel[] readerPeers = new SocketChannel[PAIRS];
        SocketChannel[] victimPeers = new SocketChannel[PAIRS];
        IoUringRegistration[] readers = new IoUringRegistration[PAIRS];
        StreamSocket[] victims = new StreamSocket[PAIRS];
        int[] calls = new int[PAIRS];
        for (int i = 0; i < PAIRS; i++) {
            Object[] v = connect();
            victimPeers[i] = (SocketChannel) v[0];
            victims[i] = (StreamSocket) v[1];
            poller.register(victims[i], Poller.READ, ops -> { }); // idle: its poll stays armed
        }
        for (int i = 0; i < PAIRS; i++) {
            Object[] r = connect();
            readerPeers[i] = (SocketChannel) r[0];
            StreamSocket s = (StreamSocket) r[1];
            int me = i;
            // Reads its byte, then closes one idle socket (whose poll must be removed at once).
            readers[i] = (IoUringRegistration) poller.register(s, Poller.READ, ops -> {
                calls[me]++;
                try {
                    s.read(ByteBuffer.allocate(16));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                victims[me].close();
            });
        }
        assertEquals(0, poller.poll(0)); // arms every poll
        for (SocketChannel c : readerPeers) {
            c.write(ByteBuffer.wrap(new byte[] {1}));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!allCalled(calls)) {
            assertTrue(System.nanoTime() < deadline, "the readers were not all reported in 10 s");
            poller.poll(TimeUnit.MILLISECONDS.toNanos(50));
        }
        poller.poll(0); // arms the readers' polls again (each socket drained: they stay armed)
        for (int i = 0; i < PAIRS; i++) {
            assertEquals(1, calls[i], "reader " + i + " was reported once for its one byte");
            assertEquals(2, readers[i].pollsArmed, "reader " + i + ": one poll before its byte,"
                    + " one after it; none armed again by the closes of the other readers");
        }
        for (int i = 0; i < PAIRS; i++) {
            // The removal went before close(2): otherwise the poll would keep the socket open
            // and its peer would wait for the FIN.
            victimPeers[i].socket().setSoTimeout(5_000);
            assertEquals(-1, victimPeers[i].socket().getInputStream().read(),
                    "the peer of closed socket " + i + " reads end-of-stream");
        }
    }

    private static boolean allCalled(int[] calls) {
        for (int c : calls) {
            if (c == 0) {
                return false;
            }
        }
        return true;
    }
}
