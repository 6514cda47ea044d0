package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.AbstractSplicePipe;
import dev.pollen.spi.PipePool;
import dev.pollen.spi.SplicePipe;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The {@link SplicePipe} cases that hold for every backend's {@link AbstractSplicePipe}, on live
 * sockets without a loop: a reset source fails the fill, end-of-stream is -1 also while the pipe
 * holds bytes, the loop's cap counts reservations, and released empty pipes are pooled. A
 * backend's pipe test implements this interface (its own cases, such as pipe sizes or Netty's
 * carried end-of-stream probe byte, stay in that test).
 *
 * <p><b>Threading:</b> the test thread only, as the pipes' loop thread.
 */
public interface SplicePipeCases {

    /**
     * A new connected TCP pair on loopback, of the backend's socket layer, closed after the test.
     *
     * @return [0] the connecting side, [1] the accepted side
     * @throws Exception if the pair cannot be made
     */
    StreamSocket[] newConnection() throws Exception;

    /**
     * The backend's process-wide pool of released pipes.
     *
     * @return the pool
     */
    PipePool pipePool();

    /**
     * The count of held pipes of the socket layer behind {@link #newConnection()}.
     *
     * @return the count
     */
    AbstractSplicePipe.LoopCount heldPipes();

    @Test
    default void aResetSourceFailsTheFillAsAReadWould() throws Exception {
        StreamSocket[] in = newConnection();  // in[0] sends, in[1] is the pipe's source
        StreamSocket[] out = newConnection(); // out[0] is the pipe's destination
        SplicePipe pipe = in[1].openSplice(out[0]);
        assertNotNull(pipe, "two stream sockets of one layer must splice");
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
    default void endOfStreamIsMinusOneAlsoWhileThePipeHoldsBytes() throws Exception {
        StreamSocket[] in = newConnection();
        StreamSocket[] out = newConnection(); // out[1] receives
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
                int n = io(pipe::fill);
                assertTrue(n >= 0 || moved[0] == 100, "end-of-stream before the last byte");
                moved[0] += Math.max(n, 0);
                return n < 0;
            });
            assertEquals(100, pipe.buffered(), "the bytes wait in the pipe; the end is known");
            assertEquals(-1, pipe.fill(), "and stays known");
            ByteBuffer got = ByteBuffer.allocate(100);
            spin(() -> {
                io(pipe::drain);
                io(() -> out[1].read(got));
                return !got.hasRemaining();
            });
            assertArrayEquals(data, got.array());
        } finally {
            pipe.close();
        }
    }

    @Test
    default void theLoopsCapCountsReservationsAndReleasedPipesArePooled() throws Exception {
        StreamSocket[] a = newConnection();
        StreamSocket[] b = newConnection();
        PipePool pool = pipePool();
        SystemProperty.with(AbstractSplicePipe.MAX_PIPES_PROPERTY, "1", () -> {
            SplicePipe first = a[1].openSplice(b[0]);
            SplicePipe second = b[0].openSplice(a[1]);
            assertNotNull(first);
            assertNotNull(second, "made objects hold no pipe: the cap counts reservations");
            assertEquals(0, first.capacity(), "no kernel pipe is held before reserve()");
            assertTrue(first.reserve());
            assertTrue(first.reserve(), "held already: true again, counted once");
            assertEquals(1, heldPipes().held());
            assertFalse(second.reserve(), "past the cap: false, never an exception");
            int pooled = pool.size();
            first.release();
            first.release(); // idempotent: counts once
            assertEquals(pooled + 1, pool.size(), "an empty pipe goes to the pool");
            assertTrue(second.reserve(), "a released pipe frees its place");
            assertEquals(pooled, pool.size(), "the next reservation takes it back");
            first.close();
            assertFalse(first.reserve(), "a closed pipe reserves nothing");
            second.close();
            second.close();
        });
        assertEquals(0, heldPipes().held());
        SystemProperty.with(AbstractSplicePipe.MAX_PIPES_PROPERTY, "0",
                () -> assertNull(a[1].openSplice(b[0]), "a cap of 0 turns splicing off"));
        assertNull(a[1].openSplice(a[1]), "a socket cannot splice into itself");
    }

    @Test
    default void anEmptyReleasedPipeIsPooledAndReusedAndAFullOneIsNot() throws Exception {
        StreamSocket[] in = newConnection();
        StreamSocket[] out = newConnection();
        PipePool pool = pipePool();
        SplicePipe pipe = in[1].openSplice(out[0]);
        SplicePipe other = out[0].openSplice(in[1]);
        try {
            assertTrue(pipe.reserve());
            String held = pipe.toString();
            int pooled = pool.size();
            pipe.release();
            assertEquals(pooled + 1, pool.size(), "an empty pipe goes to the pool");
            assertTrue(other.reserve());
            assertEquals(pooled, pool.size(), "the next reservation takes it back");
            other.release();
            // A pipe holding bytes is not released, and closing it closes it for good.
            assertTrue(pipe.reserve());
            in[0].write(ByteBuffer.wrap(new byte[1000]));
            spin(() -> io(pipe::fill) > 0);
            int before = pool.size();
            pipe.release();
            assertTrue(pipe.buffered() > 0 && pipe.capacity() > 0, "still held: " + pipe);
            pipe.close();
            assertEquals(before, pool.size(), "a pipe with bytes in it is never pooled");
            assertEquals(0, pipe.buffered());
            assertTrue(held.contains("fd"), held);
        } finally {
            pipe.close();
            other.close();
        }
        // Without a pool a release closes the pipe's two descriptors.
        SystemProperty.with(AbstractSplicePipe.POOL_PROPERTY, "0", () -> {
            SplicePipe p = in[1].openSplice(out[0]);
            int pooled = pool.size();
            int before = FdCount.now();
            assertTrue(p.reserve());
            assertEquals(before + 2, FdCount.now(), "a reservation opens a pipe: two descriptors");
            p.release();
            assertEquals(before, FdCount.now(), "pool 0: the release closes both");
            p.close();
            assertEquals(pooled, pool.size(), "pool 0 neither takes nor gives");
        });
        assertEquals(0, heldPipes().held());
    }

    /**
     * Spins (1 ms sleeps) until {@code done}, failing after 10 s.
     *
     * @param done the condition
     * @throws InterruptedException if interrupted
     */
    static void spin(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 10 s");
            Thread.sleep(1);
        }
    }

    /** A call that may throw {@link IOException}, for {@link #io}. */
    interface IoCall {
        /**
         * Makes the call.
         *
         * @return its count
         * @throws IOException as the call does
         */
        int call() throws IOException;
    }

    /**
     * Makes {@code c}, wrapping an {@link IOException} for use inside a {@link BooleanSupplier}.
     *
     * @param c the call
     * @return its count
     */
    static int io(IoCall c) {
        try {
            return c.call();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
