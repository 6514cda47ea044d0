package dev.pollen.linux.uring;

import dev.pollen.posix.NativeMemory;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The native buffer a socket's ring requests read or write ({@link RecvStash}'s receives,
 * {@link SendQueue}'s sends): allocated on first use at the size its owner asks for, freed only
 * when no request of the owner's is in flight, and abandoned for good (never freed) when one still
 * was as the ring went away, since the kernel may write or read it at any time.
 *
 * <p><b>Threading:</b> loop thread only (the owner's).
 */
final class RequestMemory {

    private long address;
    private int size;
    private ByteBuffer view;

    /**
     * The buffer's address, allocating {@code bytes} first if none is held.
     *
     * @param bytes the size to allocate when none is held
     * @return the address
     */
    long address(int bytes) {
        if (address == 0) {
            address = NativeMemory.allocate(bytes);
            size = bytes;
            view = NativeMemory.view(address, bytes);
        }
        return address;
    }

    /** A view of the whole buffer (held: call {@link #address(int)} first). */
    ByteBuffer view() {
        return view;
    }

    /** Whether a buffer is held. */
    boolean held() {
        return address != 0;
    }

    /** Frees the buffer, if one is held (no request may be in flight on it). */
    void free() {
        if (address != 0) {
            NativeMemory.free(address, size);
            address = 0;
            view = null;
        }
    }

    /** Gives the buffer up without freeing it (a request may still touch it), counted in {@code leaked}. */
    void abandon(AtomicLong leaked) {
        if (address != 0) {
            leaked.incrementAndGet();
            address = 0;
            view = null;
        }
    }
}
