package dev.pollen.linux.netty;

import java.nio.ByteBuffer;

/**
 * One direct buffer per thread for I/O on heap buffers: Netty's JNI reads and writes take direct
 * buffers only (a heap buffer has no address), so heap data is copied through this one. Per
 * thread rather than per poller, as the JDK's own {@code sun.nio.ch.Util} does: a poller is
 * confined to its loop thread, and pollers that are opened and closed in turn must not each
 * leave 64 KiB of native memory for the garbage collector to find.
 *
 * <p><b>Threading:</b> each thread gets its own buffer.
 */
final class Scratch {

    /** Larger than the largest UDP payload (65,507 bytes), so a datagram is never cut by it. */
    static final int SIZE = 64 * 1024;

    private static final ThreadLocal<ByteBuffer> BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(SIZE));

    private Scratch() {
    }

    /**
     * This thread's scratch buffer, cleared.
     *
     * @return a direct buffer of {@link #SIZE} bytes
     */
    static ByteBuffer get() {
        return BUFFER.get().clear();
    }
}
