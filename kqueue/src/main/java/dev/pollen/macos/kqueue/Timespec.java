package dev.pollen.macos.kqueue;

import dev.pollen.posix.NativeMemory;
import java.nio.ByteBuffer;

/**
 * A 64-bit {@code struct timespec} ({@code time_t tv_sec; long tv_nsec;}) in native memory, the
 * timeout of {@code kevent()}.
 *
 * <p><b>Threading:</b> confined to the loop thread.
 */
public final class Timespec {

    /** The longest single wait: one day (longer timeouts wait again for the rest). */
    static final long MAX_WAIT_NANOS = 86_400_000_000_000L;

    private long address;
    private ByteBuffer view;
    private long nanos;

    /** Allocates a zero timespec. <p><b>Threading:</b> any thread. */
    public Timespec() {
        address = NativeMemory.allocate(Kevent.TIMESPEC_SIZE);
        view = NativeMemory.view(address, Kevent.TIMESPEC_SIZE);
    }

    /**
     * Sets the value, clamped to [0, one day].
     *
     * <p><b>Threading:</b> the loop thread.
     *
     * @param timeoutNanos the timeout in nanoseconds
     * @return this
     */
    public Timespec set(long timeoutNanos) {
        long n = Math.max(0, Math.min(timeoutNanos, MAX_WAIT_NANOS));
        nanos = n;
        view.putLong(0, n / 1_000_000_000L);
        view.putLong(8, n % 1_000_000_000L);
        return this;
    }

    /**
     * The value in nanoseconds, as last set.
     *
     * <p><b>Threading:</b> the loop thread.
     *
     * @return the value
     */
    public long nanos() {
        return nanos;
    }

    /**
     * {@code tv_sec} as stored in native memory.
     *
     * <p><b>Threading:</b> the loop thread (or the thread the kernel call runs on).
     *
     * @return seconds
     */
    public long seconds() {
        return view.getLong(0);
    }

    /**
     * {@code tv_nsec} as stored in native memory.
     *
     * <p><b>Threading:</b> the loop thread (or the thread the kernel call runs on).
     *
     * @return nanoseconds within the second
     */
    public long nanosOfSecond() {
        return view.getLong(8);
    }

    /**
     * The native address.
     *
     * <p><b>Threading:</b> the loop thread.
     *
     * @return the address
     * @throws IllegalStateException after {@link #free()}
     */
    public long address() {
        if (address == 0) {
            throw new IllegalStateException("timespec already freed");
        }
        return address;
    }

    /**
     * Frees the memory. Idempotent.
     *
     * <p><b>Threading:</b> the loop thread.
     */
    public void free() {
        long a = address;
        if (a != 0) {
            address = 0;
            view = null;
            NativeMemory.free(a, Kevent.TIMESPEC_SIZE);
        }
    }
}
