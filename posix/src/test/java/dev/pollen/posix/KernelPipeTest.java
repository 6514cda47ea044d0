package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.AbstractSplicePipe;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.SplicePipe;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@link KernelPipe} on live sockets, without a poller: {@code splice(2)} from one connection's
 * socket through the pipe into another's, in the binding this JVM chose (the surefire executions
 * run both).
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "splice(2) is Linux only")
class KernelPipeTest extends LiveSockets {

    @Test
    void bytesMoveSocketToPipeToSocketExactlyAndEndOfStreamReadsMinusOne() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] in = pair(l);   // in[0] sends, in[1] is the pipe's source
        StreamSocket[] out = pair(l);  // out[0] is the pipe's destination, out[1] receives
        SplicePipe pipe = in[1].openSplice(out[0]);
        assertNotNull(pipe, "Linux sockets of one layer must splice");
        try {
            assertEquals(0, pipe.capacity(), "no kernel pipe is held before reserve()");
            assertTrue(pipe.reserve());
            assertTrue(pipe.capacity() >= 4096, "capacity " + pipe.capacity());
            assertEquals(0, pipe.fill(), "nothing sent yet: 0, not end-of-stream");
            byte[] data = new byte[1 << 20];
            new Random(5).nextBytes(data);
            ByteBuffer src = ByteBuffer.wrap(data);
            ByteBuffer got = ByteBuffer.allocateDirect(data.length);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (got.hasRemaining()) {
                assertTrue(System.nanoTime() < deadline, "stalled at " + got.position());
                if (src.hasRemaining()) {
                    in[0].write(src);
                }
                int n = pipe.fill();
                assertTrue(n >= 0, "no end-of-stream before the sender closes");
                assertTrue(pipe.buffered() <= pipe.capacity());
                pipe.drain();
                out[1].read(got);
            }
            got.flip();
            byte[] back = new byte[data.length];
            got.get(back);
            assertArrayEquals(data, back);
            assertEquals(0, pipe.buffered());
            in[0].shutdownOutput();
            LiveSockets.spin(() -> {
                try {
                    return pipe.fill() == -1;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
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
            LiveSockets.spin(() -> {
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
    void theLayersCapRefusesReservationsUntilAPipeIsReleased() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] a = pair(l);
        StreamSocket[] b = pair(l);
        withProperty(AbstractSplicePipe.MAX_PIPES_PROPERTY, "1", () -> {
            SplicePipe first = a[1].openSplice(b[0]);
            SplicePipe second = b[0].openSplice(a[1]);
            assertNotNull(first);
            assertNotNull(second, "made objects hold no pipe: the cap counts reservations");
            assertTrue(first.reserve());
            assertTrue(first.reserve(), "held already: true again, counted once");
            assertFalse(second.reserve(), "past the cap: false, never an exception");
            first.release();
            first.release(); // idempotent: counts once
            assertTrue(second.reserve(), "a released pipe frees its place");
            first.close();
            assertFalse(first.reserve(), "a closed pipe reserves nothing");
            second.close();
            second.close();
        });
        assertEquals(0, layer.splicePipes.held());
        withProperty(AbstractSplicePipe.MAX_PIPES_PROPERTY, "0",
                () -> assertNull(a[1].openSplice(b[0]), "a cap of 0 turns splicing off"));
        assertNull(a[1].openSplice(a[1]), "a socket cannot splice into itself");
    }

    @Test
    void anEmptyReleasedPipeIsPooledAndReusedAndAFullOneIsNot() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] in = pair(l);
        StreamSocket[] out = pair(l);
        SplicePipe pipe = in[1].openSplice(out[0]);
        SplicePipe other = out[0].openSplice(in[1]);
        try {
            assertTrue(pipe.reserve());
            String held = pipe.toString();
            int pooled = KernelPipe.POOL.size();
            pipe.release();
            assertEquals(pooled + 1, KernelPipe.POOL.size(), "an empty pipe goes to the pool");
            assertTrue(other.reserve());
            assertEquals(pooled, KernelPipe.POOL.size(), "the next reservation takes it back");
            other.release();
            // A pipe holding bytes is not released, and closing it closes it for good.
            assertTrue(pipe.reserve());
            in[0].write(ByteBuffer.wrap(new byte[1000]));
            LiveSockets.spin(() -> {
                try {
                    return pipe.fill() > 0;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            int before = KernelPipe.POOL.size();
            pipe.release();
            assertTrue(pipe.buffered() > 0 && pipe.capacity() > 0, "still held: " + pipe);
            pipe.close();
            assertEquals(before, KernelPipe.POOL.size(), "a pipe with bytes in it is never pooled");
            assertEquals(0, pipe.buffered());
            assertTrue(held.contains("fd"), held);
        } finally {
            pipe.close();
            other.close();
        }
        // Without a pool a release closes the pipe's two descriptors.
        withProperty(AbstractSplicePipe.POOL_PROPERTY, "0", () -> {
            SplicePipe p = in[1].openSplice(out[0]);
            int pooled = KernelPipe.POOL.size();
            int before = openFds();
            assertTrue(p.reserve());
            assertEquals(before + 2, openFds(), "a reservation opens a pipe: two descriptors");
            p.release();
            assertEquals(before, openFds(), "pool 0: the release closes both");
            p.close();
            assertEquals(pooled, KernelPipe.POOL.size(), "pool 0 neither takes nor gives");
        });
        assertEquals(0, layer.splicePipes.held());
    }

    private static int openFds() {
        String[] fds = new java.io.File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void withProperty(String key, String value, Body body) throws Exception {
        String old = System.getProperty(key);
        System.setProperty(key, value);
        try {
            body.run();
        } finally {
            if (old == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, old);
            }
        }
    }
}
