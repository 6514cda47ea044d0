package dev.pollen.linux.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.AbstractSplicePipe;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.SplicePipe;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link NettySplicePipe} on live sockets, without a loop: what Netty's splice cannot say by
 * itself (end-of-stream and EAGAIN are both 0) must still come out as the
 * {@link SplicePipe} contract says, also while the pipe holds bytes, and the bytes must keep
 * their order when the end-of-stream probe reads one that the full pipe cannot take yet.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettySplicePipeTest {

    private Poller poller;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void openPoller() {
        poller = NettyEpollTesting.newPoller();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        poller.close();
    }

    private StreamSocket[] pair(ListenSocket l) throws Exception {
        StreamSocket c = poller.sockets().connect(l.localAddress(), SocketOptions.none());
        open.add(c);
        StreamSocket s;
        spin(() -> {
            try {
                return c.finishConnect();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        while ((s = l.accept()) == null) {
            Thread.sleep(1);
        }
        open.add(s);
        return new StreamSocket[] {c, s};
    }

    private ListenSocket listen() throws IOException {
        ListenSocket l = poller.sockets().listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8, SocketOptions.none());
        open.add(l);
        return l;
    }

    private static void spin(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 10 s");
            Thread.sleep(1);
        }
    }

    /**
     * Small writes make one pipe slot each, so filling without draining runs the pipe out of
     * slots long before its byte capacity: Netty's splice then answers 0 (EAGAIN) with data
     * waiting, the probe reads a byte the pipe cannot take, and it must go out in its place.
     */
    @Test
    void fillingAFullPipeKeepsEveryByteInOrderUpToEndOfStream() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] in = pair(l);  // in[0] sends, in[1] is the pipe's source
        StreamSocket[] out = pair(l); // out[0] is the pipe's destination, out[1] receives
        in[0].setOption(StandardSocketOptions.TCP_NODELAY, true);
        SplicePipe pipe = in[1].openSplice(out[0]);
        assertNotNull(pipe, "two netty-epoll stream sockets must splice");
        assertTrue(pipe.reserve());
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        ByteBuffer got = ByteBuffer.allocateDirect(data.length);
        int sent = 0;
        int carried = 0;
        int released = 0;
        try {
            assertEquals(0, pipe.fill(), "nothing sent yet: 0, not end-of-stream");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (sent < data.length) {
                assertTrue(System.nanoTime() < deadline, "stalled at " + got.position());
                int chunk = Math.min(700, data.length - sent);
                sent += in[0].write(ByteBuffer.wrap(data, sent, chunk));
                for (int i = 0; i < 40; i++) {
                    int n = pipe.fill();
                    assertTrue(n >= 0, "no end-of-stream before the sender closes");
                    assertTrue(pipe.buffered() <= pipe.capacity());
                    if (((NettySplicePipe) pipe).carrying()) {
                        carried++;
                        pipe.release(); // the carried byte is counted: the pipe is not empty
                        assertTrue(pipe.capacity() > 0 && pipe.buffered() > 0,
                                "a pipe carrying a byte stays held: " + pipe);
                    }
                    if (n == 0) {
                        break;
                    }
                }
                if ((sent / chunk) % 50 == 0) {
                    pipe.drain(); // drain now and then only, so the pipe runs full in between
                    if ((sent / chunk) % 200 == 0) { // and now and then empty it
                        for (int k = 0; k < 100 && pipe.buffered() > 0; k++) {
                            pipe.drain();
                            out[1].read(got);
                        }
                    }
                    if (pipe.buffered() == 0) { // empty: give it back and take one again, as
                        pipe.release();         // SpliceFlow does between bursts
                        assertEquals(0, pipe.capacity(), "released: no pipe held");
                        released++;
                        assertTrue(pipe.reserve());
                    }
                }
                out[1].read(got);
            }
            in[0].shutdownOutput();
            int last;
            do {
                assertTrue(System.nanoTime() < deadline, "no end-of-stream");
                last = pipe.fill();
                if (last == 0) { // a full pipe answers 0, also at the end: make room
                    pipe.drain();
                    out[1].read(got);
                }
            } while (last >= 0);
            while (got.position() < data.length) {
                assertTrue(System.nanoTime() < deadline, "stalled at " + got.position());
                pipe.drain();
                out[1].read(got);
            }
            assertEquals(0, pipe.buffered());
            byte[] back = new byte[data.length];
            got.flip().get(back);
            assertArrayEquals(data, back);
            assertTrue(carried > 0, "the pipe never ran out of slots: the carried byte went untested");
            assertTrue(released > 0, "the pipe was never empty between bursts: release went untested");
            pipe.release();
            assertEquals(0, pipe.capacity(), "empty at the end: released");
        } finally {
            pipe.close();
        }
    }

    @Test
    void endOfStreamIsMinusOneAlsoWhileThePipeHoldsBytes() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] in = pair(l);
        StreamSocket[] out = pair(l);
        SplicePipe pipe = in[1].openSplice(out[0]);
        assertNotNull(pipe);
        assertTrue(pipe.reserve());
        try {
            byte[] data = new byte[100];
            new Random(8).nextBytes(data);
            assertEquals(100, in[0].write(ByteBuffer.wrap(data)));
            in[0].shutdownOutput();
            int[] moved = new int[1];
            spin(() -> {
                try {
                    int n = pipe.fill();
                    assertTrue(n >= 0 || moved[0] == 100, "end-of-stream before the last byte");
                    moved[0] += Math.max(n, 0);
                    return n < 0;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals(100, pipe.buffered(), "the bytes wait in the pipe; the end is known");
            assertEquals(-1, pipe.fill(), "and stays known");
            ByteBuffer got = ByteBuffer.allocate(100);
            spin(() -> {
                try {
                    pipe.drain();
                    out[1].read(got);
                    return !got.hasRemaining();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertArrayEquals(data, got.array());
        } finally {
            pipe.close();
        }
    }

    @Test
    void aResetSourceFailsTheFillAsAReadWould() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] in = pair(l);
        StreamSocket[] out = pair(l);
        SplicePipe pipe = in[1].openSplice(out[0]);
        assertNotNull(pipe);
        assertTrue(pipe.reserve());
        try {
            in[0].setOption(StandardSocketOptions.SO_LINGER, 0);
            in[0].close(); // sends RST
            IOException[] failure = new IOException[1];
            spin(() -> {
                try {
                    assertTrue(pipe.fill() >= 0, "a reset is not a clean end-of-stream");
                    return false;
                } catch (IOException e) {
                    failure[0] = e;
                    return true;
                }
            });
            assertInstanceOf(SocketException.class, failure[0]);
            assertTrue(failure[0].getMessage().contains("ECONNRESET"), failure[0].getMessage());
        } finally {
            pipe.close();
        }
    }

    @Test
    void theLoopsCapCountsReservationsAndReleasedPipesArePooled() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] a = pair(l);
        StreamSocket[] b = pair(l);
        NettySocketLayer layer = (NettySocketLayer) poller.sockets();
        String old = System.getProperty(AbstractSplicePipe.MAX_PIPES_PROPERTY);
        System.setProperty(AbstractSplicePipe.MAX_PIPES_PROPERTY, "1");
        try {
            SplicePipe first = a[1].openSplice(b[0]);
            SplicePipe second = b[0].openSplice(a[1]);
            assertNotNull(first);
            assertNotNull(second, "made objects hold no pipe: the cap counts reservations");
            assertEquals(0, first.capacity());
            assertTrue(first.reserve());
            assertTrue(first.reserve(), "held already: true again, counted once");
            assertEquals(1, layer.splicePipes.held());
            assertFalse(second.reserve(), "past the cap: false, never an exception");
            int pooled = NettySplicePipe.POOL.size();
            first.release();
            first.release(); // idempotent: counts once
            assertEquals(pooled + 1, NettySplicePipe.POOL.size(), "an empty pipe goes to the pool");
            assertTrue(second.reserve(), "a released pipe frees its place");
            assertEquals(pooled, NettySplicePipe.POOL.size(), "the next reservation takes it back");
            first.close();
            assertFalse(first.reserve(), "a closed pipe reserves nothing");
            second.close();
            second.close();
        } finally {
            if (old == null) {
                System.clearProperty(AbstractSplicePipe.MAX_PIPES_PROPERTY);
            } else {
                System.setProperty(AbstractSplicePipe.MAX_PIPES_PROPERTY, old);
            }
        }
        assertEquals(0, layer.splicePipes.held());
        System.setProperty(AbstractSplicePipe.MAX_PIPES_PROPERTY, "0");
        try {
            assertNull(a[1].openSplice(b[0]), "a cap of 0 turns splicing off");
        } finally {
            if (old == null) {
                System.clearProperty(AbstractSplicePipe.MAX_PIPES_PROPERTY);
            } else {
                System.setProperty(AbstractSplicePipe.MAX_PIPES_PROPERTY, old);
            }
        }
        assertNull(a[1].openSplice(a[1]), "a socket cannot splice into itself");
    }
}
