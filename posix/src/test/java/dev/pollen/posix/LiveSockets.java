package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.IoSource;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A socket layer without a poller (its close hook records what closes), and helpers that spin
 * on non-blocking calls with a deadline. Every source a test makes is closed after it.
 */
abstract class LiveSockets {

    static final InetSocketAddress LOOPBACK_0 =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    final List<FdSource> hooked = new ArrayList<>();
    final List<IoSource> toClose = new ArrayList<>();
    PosixSocketLayer layer;

    @BeforeEach
    void makeLayer() {
        layer = new PosixSocketLayer(hooked::add);
    }

    @AfterEach
    void closeAll() {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    <T extends IoSource> T track(T s) {
        toClose.add(s);
        return s;
    }

    ListenSocket listen() throws IOException {
        return track(layer.listen(LOOPBACK_0, 64, SocketOptions.none()));
    }

    DatagramSocket udp() throws IOException {
        return track(layer.openDatagram(LOOPBACK_0, null, SocketOptions.none()));
    }

    /** [0] client, [1] accepted. */
    StreamSocket[] pair(ListenSocket l) throws Exception {
        StreamSocket c = track(layer.connect(l.localAddress(), SocketOptions.none()));
        StreamSocket[] s = new StreamSocket[1];
        spin(() -> {
            try {
                s[0] = l.accept();
                return s[0] != null;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        track(s[0]);
        spin(() -> {
            try {
                return c.finishConnect();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        return new StreamSocket[] {c, s[0]};
    }

    StreamSocket[] pair() throws Exception {
        return pair(listen());
    }

    static void spin(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met in 10 s");
            Thread.sleep(1);
        }
    }

    /** Reads exactly {@code dst.remaining()} bytes, spinning. */
    static void readFully(StreamSocket s, ByteBuffer dst) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (dst.hasRemaining()) {
            int n = s.read(dst);
            if (n < 0) {
                throw new IOException("unexpected EOF with " + dst.remaining() + " bytes to go");
            }
            if (n == 0) {
                assertTrue(System.nanoTime() < deadline, "read stalled");
                Thread.sleep(1);
            }
        }
    }

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    static ByteBuffer directAscii(String s) {
        ByteBuffer b = ByteBuffer.allocateDirect(s.length());
        b.put(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).flip();
        return b;
    }

    static String text(ByteBuffer b) {
        ByteBuffer d = b.duplicate().flip();
        byte[] a = new byte[d.remaining()];
        d.get(a);
        return new String(a, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
