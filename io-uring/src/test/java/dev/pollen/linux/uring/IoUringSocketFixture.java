package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.posix.PosixStreamSocket;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.function.Executable;

/**
 * What the socket tests of the io_uring modes share: the poller a test sets, a loopback listener
 * made on first use, JDK clients accepted on the io_uring side, and closing all of them (clients,
 * accepted sockets, listener, poller) after each test.
 *
 * <p><b>Threading:</b> JUnit's test thread plays the loop thread.
 */
abstract class IoUringSocketFixture {

    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** The test's poller; closed after the test unless the test set it back to null. */
    Poller poller;
    private ListenSocket listener;
    private final List<StreamSocket> sockets = new ArrayList<>();
    private final List<SocketChannel> clients = new ArrayList<>();

    @AfterEach
    void closeSocketsAndPoller() throws IOException {
        for (SocketChannel c : clients) {
            c.close();
        }
        for (StreamSocket s : sockets) {
            s.close();
        }
        if (listener != null) {
            listener.close();
        }
        if (poller != null) {
            poller.close();
        }
    }

    /** A JDK client and the io_uring socket that accepted it. */
    record Conn(SocketChannel client, StreamSocket server) {
    }

    /**
     * Connects a JDK client to this test's listener and accepts it on the io_uring side.
     *
     * @param rcvBuf   the client's receive buffer, set before connecting, if positive
     * @param blocking whether the client stays blocking
     */
    Conn connect(int rcvBuf, boolean blocking) throws Exception {
        if (listener == null) {
            listener = poller.sockets().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    16, SocketOptions.none());
        }
        SocketChannel client = SocketChannel.open();
        clients.add(client);
        if (rcvBuf > 0) {
            client.setOption(StandardSocketOptions.SO_RCVBUF, rcvBuf);
        }
        client.connect(listener.localAddress());
        StreamSocket server;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((server = listener.accept()) == null) {
            assertTrue(System.nanoTime() < deadline, "accept did not see the connection in 10 s");
            Thread.sleep(1);
        }
        sockets.add(server);
        client.configureBlocking(blocking);
        return new Conn(client, server);
    }

    /** Polls until {@code done} reports true; fails after 5 s. */
    void pollUntil(BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "the expected state was not reached in 5 s");
            poller.poll(20 * MS);
        }
    }

    /** The test stream from byte {@code from} on, in a heap buffer: byte {@code i} is {@code i % 251}. */
    static ByteBuffer pattern(long from, int len) {
        ByteBuffer b = ByteBuffer.allocate(len);
        for (int i = 0; i < len; i++) {
            b.put((byte) ((from + i) % 251));
        }
        return b.flip();
    }

    /** {@link #pattern} in a direct buffer. */
    static ByteBuffer directPattern(long from, int len) {
        return ByteBuffer.allocateDirect(len).put(pattern(from, len)).flip();
    }

    /** The send queue the io_uring poller attached to {@code s}. */
    static SendQueue queue(StreamSocket s) {
        return assertInstanceOf(SendQueue.class, ((PosixStreamSocket) s).writeBehind());
    }

    /** Asserts that {@code call} refuses a property value with exactly {@code message}. */
    static void assertRefused(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }
}
