package dev.pollen.macos.kqueue;

import dev.pollen.posix.DirectAddress;
import dev.pollen.posix.NativeMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A fixed-size array of {@code struct kevent} in native memory, written and read through a
 * direct {@link ByteBuffer} view in native byte order (plain Java accesses the JIT compiles to
 * moves; no JNA call per field). The stride is the target's {@link KqueueTarget#keventSize};
 * bytes past the common 32 (FreeBSD's {@code ext[4]}) are zeroed on every write.
 *
 * <p>The memory of an array made by the constructor is freed by {@link #free()}; the owner must
 * not touch the array afterwards. An array made by {@link #gcManaged} lives in a GC-managed
 * direct buffer instead and is never freed under a thread that still holds it (the wakeup
 * trigger, which other threads may use while the poller closes).
 *
 * <p><b>Threading:</b> confined to its owner's thread (the loop thread), except arrays that are
 * written once and then only read (the wakeup trigger), which any thread may pass to the kernel.
 */
public final class KeventArray {

    private final int capacity;
    private final int stride;
    private final long bytes;
    private final boolean owned;
    private long address;
    private ByteBuffer view;

    /**
     * Allocates a zeroed array.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param capacity how many entries, at least 1
     * @param stride   bytes per entry, at least {@link Kevent#BASE_SIZE} and a multiple of 8
     * @throws IllegalArgumentException if an argument is out of range
     */
    public KeventArray(int capacity, int stride) {
        this(capacity, stride, true);
    }

    private KeventArray(int capacity, int stride, boolean owned) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        if (stride < Kevent.BASE_SIZE || stride % 8 != 0) {
            throw new IllegalArgumentException("stride must be a multiple of 8 and at least "
                    + Kevent.BASE_SIZE + ", got " + stride);
        }
        if ((long) capacity * stride > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("capacity " + capacity + " x stride " + stride
                    + " does not fit a buffer");
        }
        this.capacity = capacity;
        this.stride = stride;
        this.bytes = (long) capacity * stride;
        this.owned = owned;
        if (owned) {
            this.address = NativeMemory.allocate(bytes);
            this.view = NativeMemory.view(address, (int) bytes);
        } else {
            this.view = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
            this.address = DirectAddress.base(view);
        }
    }

    /**
     * Makes an array in a GC-managed direct buffer: {@link #free()} does nothing, and the memory
     * lives as long as the array is reachable.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param capacity how many entries
     * @param stride   bytes per entry
     * @return the array
     */
    public static KeventArray gcManaged(int capacity, int stride) {
        return new KeventArray(capacity, stride, false);
    }

    /**
     * How many entries the array holds.
     *
     * <p><b>Threading:</b> the owner's thread (or any thread for a read-only array).
     *
     * @return the capacity
     */
    public int capacity() {
        return capacity;
    }

    /**
     * Bytes per entry.
     *
     * <p><b>Threading:</b> the owner's thread (or any thread for a read-only array).
     *
     * @return the stride
     */
    public int stride() {
        return stride;
    }

    /**
     * The native address of entry 0, for the kernel.
     *
     * <p><b>Threading:</b> the owner's thread (or any thread for a read-only array).
     *
     * @return the address
     * @throws IllegalStateException after {@link #free()}
     */
    public long address() {
        if (address == 0) {
            throw new IllegalStateException("kevent array already freed");
        }
        return address;
    }

    /**
     * Writes one entry (the {@code EV_SET} macro).
     *
     * @param i      the index
     * @param ident  the fd or id
     * @param filter the filter
     * @param flags  the flags
     * @param fflags the filter flags
     * @param data   the filter data
     * <p><b>Threading:</b> the owner's thread (or any thread for a read-only array).
     *
     * @param udata  the opaque user data
     */
    public void set(int i, long ident, short filter, int flags, int fflags, long data, long udata) {
        int o = offset(i);
        ByteBuffer b = view;
        b.putLong(o + Kevent.IDENT, ident);
        b.putShort(o + Kevent.FILTER, filter);
        b.putShort(o + Kevent.FLAGS, (short) flags);
        b.putInt(o + Kevent.FFLAGS, fflags);
        b.putLong(o + Kevent.DATA, data);
        b.putLong(o + Kevent.UDATA, udata);
        for (int x = Kevent.BASE_SIZE; x < stride; x += 8) {
            b.putLong(o + x, 0L);
        }
    }

    /**
     * Copies entry {@code from} over entry {@code to} (for compacting a change list).
     *
     * @param from source index
     * <p><b>Threading:</b> the owner's thread (or any thread for a read-only array).
     *
     * @param to   destination index
     */
    public void copy(int from, int to) {
        if (from == to) {
            return;
        }
        int s = offset(from);
        int d = offset(to);
        for (int x = 0; x < stride; x += 8) {
            view.putLong(d + x, view.getLong(s + x));
        }
    }

    /**
     * Reads {@code ident} of entry {@code i}.
     *
     * <p><b>Threading:</b> the owner's thread (or any thread for a read-only array).
     *
     * @param i the index
     * @return the value
     */
    public long ident(int i) {
        return view.getLong(offset(i) + Kevent.IDENT);
    }

    /**
     * Reads {@code filter} of entry {@code i}.
     *
     * <p><b>Threading:</b> the owner's thread (or any thread for a read-only array).
     *
     * @param i the index
     * @return the value
     */
    public short filter(int i) {
        return view.getShort(offset(i) + Kevent.FILTER);
    }

    /**
     * Reads {@code flags}, unsigned of entry {@code i}.
     *
     * <p><b>Threading:</b> the owner's thread (or any thread for a read-only array).
     *
     * @param i the index
     * @return the value
     */
    public int flags(int i) {
        return view.getShort(offset(i) + Kevent.FLAGS) & 0xffff;
    }

    /**
     * Reads {@code fflags} of entry {@code i}.
     *
     * <p><b>Threading:</b> the owner's thread (or any thread for a read-only array).
     *
     * @param i the index
     * @return the value
     */
    public int fflags(int i) {
        return view.getInt(offset(i) + Kevent.FFLAGS);
    }

    /**
     * Reads {@code data} of entry {@code i}.
     *
     * <p><b>Threading:</b> the owner's thread (or any thread for a read-only array).
     *
     * @param i the index
     * @return the value
     */
    public long data(int i) {
        return view.getLong(offset(i) + Kevent.DATA);
    }

    /**
     * Reads {@code udata} of entry {@code i}.
     *
     * <p><b>Threading:</b> the owner's thread (or any thread for a read-only array).
     *
     * @param i the index
     * @return the value
     */
    public long udata(int i) {
        return view.getLong(offset(i) + Kevent.UDATA);
    }

    /**
     * Entry {@code i} as text, for messages and test failures.
     *
     * @param i the index
     * <p><b>Threading:</b> the owner's thread (or any thread for a read-only array).
     *
     * @return e.g. {@code "{ident=7, filter=-1, flags=EV_ADD, fflags=0x0, data=0, udata=3}"}
     */
    public String describe(int i) {
        return "{ident=" + ident(i) + ", filter=" + filter(i) + ", flags="
                + Kevent.flagsToString(flags(i)) + ", fflags=0x" + Integer.toHexString(fflags(i))
                + ", data=" + data(i) + ", udata=" + udata(i) + "}";
    }

    /**
     * Frees the memory. Idempotent; does nothing for a {@link #gcManaged} array.
     *
     * <p><b>Threading:</b> the owner's thread, once no other thread can use the array.
     */
    public void free() {
        if (!owned) {
            return;
        }
        long a = address;
        if (a != 0) {
            address = 0;
            view = null;
            NativeMemory.free(a, bytes);
        }
    }

    private int offset(int i) {
        if (i < 0 || i >= capacity) {
            throw new IndexOutOfBoundsException("kevent index " + i + " outside [0, " + capacity + ")");
        }
        return i * stride;
    }
}
