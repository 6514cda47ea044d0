package dev.pollen.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PipePool} and the reserve/release bookkeeping of {@link AbstractSplicePipe}, on a fake
 * binding whose "pipes" are numbers: the backends (posix's KernelPipe, netty-epoll's
 * NettySplicePipe) share this logic and test only their system calls on live sockets.
 */
class PipePoolTest {

    /** A binding that makes numbered pipes, moves what it is told, and records closes. */
    private static final class FakePipe extends AbstractSplicePipe {
        static int next = 100;
        final List<Integer> closed = new ArrayList<>();
        boolean pipe2Fails;
        int made;
        int in;
        int out;

        FakePipe(LoopCount loop, PipePool pool) {
            super(loop, pool);
        }

        @Override
        protected boolean newPipe(int requestedSize) {
            if (pipe2Fails) {
                return false;
            }
            made++;
            hold(next++, next++, 4096);
            return true;
        }

        @Override
        protected int spliceIn(int max) {
            return Math.min(in, max);
        }

        @Override
        protected int spliceOut(int max) {
            return Math.min(out, max);
        }

        @Override
        protected void closePipe(int readEnd, int writeEnd) {
            closed.add(readEnd);
            closed.add(writeEnd);
        }
    }

    @Test
    void aPoolHandsBackTheLastPipeOfTheSameSizeUpToItsMax() {
        PipePool pool = new PipePool();
        AbstractSplicePipe.LoopCount loop = new AbstractSplicePipe.LoopCount();
        FakePipe p = new FakePipe(loop, pool);
        assertTrue(pool.give(2, 1, 2, 100, 0));
        assertTrue(pool.give(2, 3, 4, 200, 8192));
        assertFalse(pool.give(2, 5, 6, 300, 0), "full at its max: the caller closes");
        assertFalse(pool.take(0, 8192, p), "max 0: no pool");
        assertFalse(pool.take(2, 0, p), "the last pipe was asked with another size");
        assertTrue(pool.take(2, 8192, p));
        assertEquals(3, p.readEnd());
        assertEquals(4, p.writeEnd());
        assertEquals(200, p.capacity());
        assertEquals(1, pool.size());
        assertFalse(pool.give(0, 7, 8, 100, 0), "max 0 pools nothing");
        for (int i = 0; i < 40; i++) {
            assertTrue(pool.give(100, i, i, 1, 0), "grows past its first array");
        }
        assertEquals(41, pool.size());
    }

    @Test
    void reserveCountsOnTheLoopAndReleaseGivesOnlyEmptyPipesToThePool() throws Exception {
        PipePool pool = new PipePool();
        AbstractSplicePipe.LoopCount loop = new AbstractSplicePipe.LoopCount();
        FakePipe a = new FakePipe(loop, pool);
        FakePipe b = new FakePipe(loop, pool);
        assertEquals(0, a.capacity(), "made objects hold nothing");
        assertEquals(0, a.fill(), "unreserved: no room, nothing moves");
        assertTrue(a.reserve());
        assertTrue(a.reserve());
        assertEquals(1, loop.held(), "held already: counted once");
        a.in = 10;
        assertEquals(10, a.fill());
        a.release();
        assertEquals(4096, a.capacity(), "holding bytes: not released");
        assertEquals(0, pool.size());
        a.out = 10;
        assertEquals(10, a.drain());
        a.release();
        a.release();
        assertEquals(0, a.capacity());
        assertEquals(0, loop.held());
        assertEquals(1, pool.size(), "empty: pooled, not closed");
        assertTrue(a.closed.isEmpty());
        assertTrue(b.reserve());
        assertEquals(0, b.made, "taken from the pool, not made");
        assertEquals(0, pool.size());
        b.in = 5;
        assertEquals(5, b.fill());
        int r = b.readEnd();
        b.close();
        assertEquals(List.of(r, r + 1), b.closed, "closed with bytes: closed, never pooled");
        assertEquals(0, b.buffered());
        assertEquals(0, pool.size());
        assertEquals(0, loop.held());
        assertFalse(b.reserve(), "closed: reserves nothing");
        b.close();
        assertEquals(2, b.closed.size(), "idempotent");
    }

    @Test
    void theCapAndAFailedPipe2RefuseReservationsAndThePipeBacksOff() {
        PipePool pool = new PipePool();
        AbstractSplicePipe.LoopCount loop = new AbstractSplicePipe.LoopCount();
        String old = System.getProperty(AbstractSplicePipe.MAX_PIPES_PROPERTY);
        System.setProperty(AbstractSplicePipe.MAX_PIPES_PROPERTY, "1");
        FakePipe a;
        FakePipe b;
        try {
            a = new FakePipe(loop, pool);
            b = new FakePipe(loop, pool);
        } finally {
            if (old == null) {
                System.clearProperty(AbstractSplicePipe.MAX_PIPES_PROPERTY);
            } else {
                System.setProperty(AbstractSplicePipe.MAX_PIPES_PROPERTY, old);
            }
        }
        assertTrue(a.reserve());
        assertFalse(b.reserve(), "past the loop's cap");
        a.close();
        assertEquals(1, pool.size(), "an empty pipe closed goes to the pool too");
        b.pipe2Fails = true;
        FakePipe c = new FakePipe(loop, pool);
        c.pipe2Fails = true;
        assertTrue(c.reserve(), "the pool serves before pipe2 is tried");
        c.close();
        pool.take(16, 0, new FakePipe(loop, pool)); // empty the pool
        assertFalse(b.reserve(), "pipe2 failed");
        b.pipe2Fails = false;
        for (int i = 0; i < AbstractSplicePipe.BACKOFF; i++) {
            assertFalse(b.reserve(), "backing off, no pipe2 tried");
        }
        assertEquals(0, b.made);
        assertTrue(b.reserve(), "after the back-off it tries again");
        assertEquals(1, b.made);
    }
}
