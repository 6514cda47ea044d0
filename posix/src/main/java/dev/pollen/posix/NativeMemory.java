package dev.pollen.posix;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Explicitly freed native memory ({@code calloc}/{@code free}, through the {@link LibC} binding) with a process-wide count of the
 * bytes outstanding, so tests can prove that closing pollers gives everything back.
 *
 * <p>Use it for memory whose owner has a clear close (a poller's event array): the owner must
 * never touch the memory after {@link #free}. Memory that sockets may still touch after their
 * poller closed uses GC-managed direct buffers instead, which can never be freed under them.
 *
 * <p><b>Threading:</b> any thread.
 */
public final class NativeMemory {

    private static final AtomicLong OUTSTANDING = new AtomicLong();

    private NativeMemory() {
    }

    /**
     * Allocates zeroed native memory.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param bytes how many bytes, at least 1
     * @return the address
     * @throws OutOfMemoryError if malloc fails
     */
    public static long allocate(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be positive, got " + bytes);
        }
        long address = LibC.calloc(1, bytes);
        if (address == 0) {
            throw new OutOfMemoryError("calloc(1, " + bytes + ") failed");
        }
        OUTSTANDING.addAndGet(bytes);
        return address;
    }

    /**
     * Frees memory from {@link #allocate}. Freeing address 0 does nothing.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param address the address
     * @param bytes   the size that was allocated (for the count)
     */
    public static void free(long address, long bytes) {
        if (address != 0) {
            LibC.free(address);
            OUTSTANDING.addAndGet(-bytes);
        }
    }

    /**
     * A direct buffer view of native memory, in native byte order, for pure-Java (intrinsified)
     * reads and writes. It does not own the memory: it must not be used after {@link #free}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param address the memory
     * @param bytes   its size
     * @return the view
     */
    public static ByteBuffer view(long address, int bytes) {
        return LibC.view(address, bytes);
    }

    /**
     * Bytes allocated by {@link #allocate} and not yet freed, in this process.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the count
     */
    public static long outstandingBytes() {
        return OUTSTANDING.get();
    }
}
