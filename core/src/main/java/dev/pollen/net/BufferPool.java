package dev.pollen.net;

import java.nio.ByteBuffer;

/**
 * A per-loop free list of direct buffers of one size: the chunks write buffers are made of.
 * A stack (LIFO), so the most recently used, cache-warm chunk is handed out first. At most
 * {@code maxRetained} chunks are kept; beyond that, released chunks are left to the garbage
 * collector, so a burst (one 16 MiB write to a slow peer) does not pin its memory forever.
 *
 * <p><b>Threading:</b> loop thread only (one pool per loop, never shared).
 */
final class BufferPool {

    private final int chunkSize;
    private final ByteBuffer[] free;
    private int count;
    private long allocated;

    BufferPool(int chunkSize, int maxRetained) {
        this.chunkSize = chunkSize;
        this.free = new ByteBuffer[maxRetained];
    }

    /** The size of every chunk. */
    int chunkSize() {
        return chunkSize;
    }

    /** A cleared chunk: position 0, limit = capacity. */
    ByteBuffer acquire() {
        if (count > 0) {
            ByteBuffer b = free[--count];
            free[count] = null;
            return b;
        }
        allocated++;
        return ByteBuffer.allocateDirect(chunkSize);
    }

    /** Returns a chunk obtained from {@link #acquire()}. */
    void release(ByteBuffer b) {
        if (count < free.length) {
            b.clear();
            free[count++] = b;
        }
    }

    /** Chunks waiting in the pool. */
    int retained() {
        return count;
    }

    /** Chunks ever allocated (a test counts these to prove reuse). */
    long allocated() {
        return allocated;
    }
}
