package dev.pollen.nio;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A poller per test, closed with every source the test opened.
 *
 * <p><b>Threading:</b> JUnit's test thread plays the loop thread.
 */
abstract class NioFixture {

    static final long MS = 1_000_000L;
    static final InetSocketAddress LOOPBACK_ANY_PORT =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    NioPoller poller;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void openPoller() {
        poller = new NioPoller();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        poller.close();
    }

    <T extends AutoCloseable> T track(T c) {
        toClose.add(c);
        return c;
    }

    ListenSocket listen() throws IOException {
        return track(poller.sockets().listen(LOOPBACK_ANY_PORT, 64, SocketOptions.none()));
    }

    /** A connected pair through {@code l}: [0] client, [1] accepted. */
    StreamSocket[] pair(ListenSocket l) throws IOException, InterruptedException {
        return pair(l, l.localAddress());
    }

    StreamSocket[] pair(ListenSocket l, SocketAddress to) throws IOException, InterruptedException {
        StreamSocket c = track(poller.sockets().connect(to, SocketOptions.none()));
        StreamSocket s = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (s == null) {
            s = l.accept();
            if (s == null) {
                assertTrue(System.nanoTime() < deadline, "accept timed out");
                Thread.sleep(1);
            }
        }
        track(s);
        while (!c.finishConnect()) {
            assertTrue(System.nanoTime() < deadline, "connect timed out");
            Thread.sleep(1);
        }
        return new StreamSocket[] {c, s};
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    void pollUntil(BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not reached in 5 s");
            poller.poll(20 * MS);
        }
    }
}
