package dev.pollen.linux.epoll;

import static dev.pollen.linux.epoll.EpollNative.EFD_CLOEXEC;
import static dev.pollen.linux.epoll.EpollNative.EFD_NONBLOCK;
import static dev.pollen.linux.epoll.EpollNative.EPOLLERR;
import static dev.pollen.linux.epoll.EpollNative.EPOLLHUP;
import static dev.pollen.linux.epoll.EpollNative.EPOLLIN;
import static dev.pollen.linux.epoll.EpollNative.EPOLLOUT;
import static dev.pollen.linux.epoll.EpollNative.EPOLL_CLOEXEC;
import static dev.pollen.linux.epoll.EpollNative.EPOLL_CTL_ADD;
import static dev.pollen.linux.epoll.EpollNative.EPOLL_CTL_DEL;
import static dev.pollen.linux.epoll.EpollNative.EPOLL_CTL_MOD;

import dev.pollen.posix.DirectAddress;
import dev.pollen.posix.FdCloseHook;
import dev.pollen.posix.FdSource;
import dev.pollen.posix.LibC;
import dev.pollen.posix.NativeMemory;
import dev.pollen.posix.OsConstants;
import dev.pollen.posix.PosixErrors;
import dev.pollen.posix.PosixSocketLayer;
import dev.pollen.spi.AbstractPoller;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.Poller;
import dev.pollen.spi.SocketLayer;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A {@link Poller} on Linux epoll through JNA direct mapping: level-triggered, with an eventfd
 * as the wakeup signal. The generic part (checks, ready list, dispatch, wakeup coalescing,
 * re-waiting) is {@link AbstractPoller}'s; this class is the epoll calls.
 *
 * <ul>
 *   <li>{@code epoll_wait} fills an off-heap event array (malloc'd, freed by {@link #close()})
 *       read through a direct-buffer view: no JNA call per event. It starts at 256 entries and
 *       doubles, up to 4096, whenever a wait fills it.</li>
 *   <li>{@code epoll_event.data} holds a registration key: a slot in a Java array plus a
 *       generation ({@link EpollRegistration}), so finding the registration is an array index,
 *       not a map lookup, and an event of a registration that ended is recognised.</li>
 *   <li>Interest zero means "not in the kernel set": the first non-zero interest does
 *       {@code EPOLL_CTL_ADD}, dropping to zero {@code EPOLL_CTL_DEL}.</li>
 *   <li>Timeouts are converted to milliseconds rounding <em>up</em>; EINTR ends the wait
 *       (the base waits again for the rest).</li>
 *   <li>The wakeup signal writes the eventfd; the wait that sees it reads it, which resets the
 *       counter.</li>
 * </ul>
 *
 * <p><b>Threading:</b> loop thread only, except {@link #wakeup()}, {@link #isClosed()},
 * {@link #name()} and {@link #sockets()}, which any thread may call.
 */
public final class EpollPoller extends AbstractPoller<FdSource, EpollRegistration>
        implements FdCloseHook {

    private static final int INITIAL_EVENTS = 256;
    private static final int MAX_EVENTS = 4096;
    /** epoll data of the wakeup eventfd: no registration key can be all ones. */
    private static final long WAKEUP_KEY = -1L;
    private static final int READ_BITS = EPOLLIN | EPOLLHUP | EPOLLERR;
    private static final int WRITE_BITS = EPOLLOUT | EPOLLHUP | EPOLLERR;

    /** An 8-byte counter value of 1 for eventfd writes; shared, never freed, only read. */
    private static final ByteBuffer ONE = ByteBuffer.allocateDirect(8)
            .order(ByteOrder.nativeOrder()).putLong(0, 1L);
    private static final long ONE_ADDRESS = DirectAddress.base(ONE);

    private final OsConstants os = OsConstants.LINUX;
    private final EpollEventLayout layout;
    private final PosixSocketLayer sockets;
    private final int epfd;
    private final int eventFd;

    private long events;
    private int eventsBytes;
    private ByteBuffer eventsView;
    private int maxEvents;
    /** One epoll_event for epoll_ctl (first 16 bytes) and 8 bytes to drain the eventfd into. */
    private final long scratch;
    private static final int SCRATCH_BYTES = 32;
    private static final int DRAIN_OFFSET = 16;
    private final ByteBuffer scratchView;

    private EpollRegistration[] slots = new EpollRegistration[64];
    /**
     * The key of each slot's live registration (0 when free; no key is 0), so that an event is
     * checked against its registration without reading the registration object.
     */
    private long[] keys = new long[64];
    /** Ops collected per slot during {@link #collect}; 0 outside it. */
    private int[] slotOps = new int[64];
    /** The slots reported by one wait, in the kernel's order (each once). */
    private int[] order = new int[INITIAL_EVENTS];
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int nextSlot;
    private int generation;
    private int registered;
    /** Events put into the array by {@link #dispatchRaw} for the next wait to read, or -1. */
    private int rawCount = -1;

    /**
     * Creates an epoll instance, its wakeup eventfd and its event array.
     *
     * <p><b>Threading:</b> any thread; the poller then belongs to the thread that polls it.
     *
     * @throws UncheckedIOException if the kernel refuses (the cause names the call and errno;
     *                              {@link dev.pollen.spi.ResourceExhaustedException} for EMFILE)
     * @throws IllegalStateException on an architecture without a known epoll_event layout
     */
    public EpollPoller() {
        String arch = System.getProperty("os.arch");
        layout = EpollEventLayout.forArch(arch);
        if (layout == null) {
            throw new IllegalStateException("Pollen's epoll supports x86_64 and aarch64, not "
                    + arch);
        }
        int ep = EpollNative.epoll_create1(EPOLL_CLOEXEC);
        if (ep < 0) {
            throw new UncheckedIOException(PosixErrors.error(os, "epoll_create1",
                    LibC.errno()));
        }
        int efd = EpollNative.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (efd < 0) {
            int e = LibC.errno();
            LibC.close(ep);
            throw new UncheckedIOException(PosixErrors.error(os, "eventfd", e));
        }
        epfd = ep;
        eventFd = efd;
        scratch = NativeMemory.allocate(SCRATCH_BYTES);
        scratchView = NativeMemory.view(scratch, SCRATCH_BYTES);
        allocateEvents(INITIAL_EVENTS);
        scratchView.putInt(0, EPOLLIN);
        scratchView.putLong(layout.dataOffset(), WAKEUP_KEY);
        if (EpollNative.epoll_ctl(epfd, EPOLL_CTL_ADD, eventFd, scratch) != 0) {
            int e = LibC.errno();
            close();
            throw new UncheckedIOException(PosixErrors.error(os,
                    "epoll_ctl(ADD, eventfd " + efd + ")", e));
        }
        sockets = new PosixSocketLayer(this, os);
    }

    private void allocateEvents(int count) {
        maxEvents = count;
        eventsBytes = count * layout.size();
        events = NativeMemory.allocate(eventsBytes);
        eventsView = NativeMemory.view(events, eventsBytes);
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return {@code "epoll"}
     */
    @Override
    public String name() {
        return EpollPollerProvider.NAME;
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> any thread may obtain it; its methods are loop-thread only.
     */
    @Override
    public PosixSocketLayer sockets() {
        return sockets;
    }

    // ---------------------------------------------------------------- registration hooks

    @Override
    protected EpollRegistration newRegistration(FdSource source, IoHandler handler) {
        int slot = freeCount > 0 ? freeSlots[--freeCount] : nextSlot++;
        if (slot == slots.length) {
            slots = Arrays.copyOf(slots, slots.length * 2);
            keys = Arrays.copyOf(keys, keys.length * 2);
            slotOps = Arrays.copyOf(slotOps, slotOps.length * 2);
        }
        // Generations skip 0 and -1 so no key equals WAKEUP_KEY (or 0, a free slot's key).
        generation = generation >= Integer.MAX_VALUE - 1 ? 1 : generation + 1;
        EpollRegistration r = new EpollRegistration(this, source, handler, slot, generation);
        slots[slot] = r;
        keys[r.slot] = r.key;
        registered++;
        return r;
    }

    @Override
    protected void addInterest(EpollRegistration r, int ops) {
        ctl(EPOLL_CTL_ADD, r, ops);
    }

    @Override
    protected void modifyInterest(EpollRegistration r, int oldOps, int newOps) {
        ctl(EPOLL_CTL_MOD, r, newOps);
    }

    @Override
    protected void removeInterest(EpollRegistration r, int oldOps) {
        if (r.isCancelled()) {
            // Ending the registration (also from FdSource.close() through beforeClose, while the
            // fd is still open): errors are ignored, the registration is gone on our side.
            scratchView.putInt(0, 0);
            EpollNative.epoll_ctl(epfd, EPOLL_CTL_DEL, r.source().fd(), scratch);
        } else {
            ctl(EPOLL_CTL_DEL, r, 0); // out of the kernel set: it costs the kernel nothing
        }
    }

    @Override
    protected void deregistered(EpollRegistration r) {
        slots[r.slot] = null;
        keys[r.slot] = 0;
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
        }
        freeSlots[freeCount++] = r.slot;
        registered--;
    }

    /** Called by {@link FdSource#close()} before the fd is closed. */
    @Override
    public void beforeClose(FdSource source) {
        if (source.registration() != null) {
            source.registration().cancel();
        }
    }

    private void ctl(int op, EpollRegistration r, int ops) {
        int bits = ((ops & READ) != 0 ? EPOLLIN : 0) | ((ops & WRITE) != 0 ? EPOLLOUT : 0);
        scratchView.putInt(0, bits);
        scratchView.putLong(layout.dataOffset(), r.key);
        if (EpollNative.epoll_ctl(epfd, op, r.source().fd(), scratch) != 0) {
            int e = LibC.errno();
            String name = op == EPOLL_CTL_ADD ? "ADD" : op == EPOLL_CTL_MOD ? "MOD" : "DEL";
            throw new UncheckedIOException(PosixErrors.error(os,
                    "epoll_ctl(" + name + ", " + r.source() + ")", e));
        }
    }

    // ---------------------------------------------------------------- waiting

    @Override
    protected void waitForReady(long timeoutNanos) {
        int n;
        if (rawCount >= 0) {
            n = rawCount; // dispatchRaw's events are already in the array
            rawCount = -1;
        } else {
            n = EpollNative.epoll_wait(epfd, events, maxEvents, toMillis(timeoutNanos));
            if (n < 0) {
                int e = LibC.errno();
                if (e == os.EINTR) {
                    return; // the base waits again for the rest
                }
                throw new UncheckedIOException(PosixErrors.error(os, "epoll_wait", e));
            }
        }
        collect(n);
        if (n == maxEvents && maxEvents < MAX_EVENTS) {
            // The array was full: more may have been ready. Grow for the next wait.
            NativeMemory.free(events, eventsBytes);
            allocateEvents(maxEvents * 2);
        }
    }

    /**
     * Reports the {@code n} events in the array. Only dense arrays are read here (the event
     * array, {@link #keys}, {@link #slotOps}, {@link #order}); the registrations themselves are
     * first read by the dispatch. With 1,000 connections a batch's system calls evict them from
     * the cache between the two, so reading them here too cost a second miss per event.
     */
    private void collect(int n) {
        ByteBuffer view = eventsView;
        int size = layout.size();
        int dataOffset = layout.dataOffset();
        long[] live = keys;
        int[] ops = slotOps;
        int[] seen = order.length >= n ? order : (order = new int[maxEvents]);
        int count = 0;
        for (int i = 0; i < n; i++) {
            int off = i * size;
            int bits = view.getInt(off);
            long key = view.getLong(off + dataOffset);
            if (key == WAKEUP_KEY) {
                LibC.read(eventFd, scratch + DRAIN_OFFSET, 8); // resets the counter
                continue;
            }
            int slot = (int) key;
            if (slot < 0 || slot >= live.length || live[slot] != key || key == 0) {
                continue; // a registration that ended (its slot maybe reused), or a free slot
            }
            // Hang-up and errors are readiness of whatever is registered.
            int o = ((bits & READ_BITS) != 0 ? READ : 0) | ((bits & WRITE_BITS) != 0 ? WRITE : 0);
            if (o == 0) {
                continue;
            }
            if (ops[slot] == 0) {
                seen[count++] = slot; // the kernel reports an fd once per wait; merge anyway
            }
            ops[slot] |= o;
        }
        EpollRegistration[] regs = slots;
        for (int i = 0; i < count; i++) {
            int slot = seen[i];
            readyOnce(regs[slot], ops[slot]);
            ops[slot] = 0;
        }
    }

    /**
     * Test hook for the fuzz test of the event decoding: polls (without waiting) over
     * {@code count} events laid out in {@code raw} exactly as the kernel writes them into the
     * event array (this machine's {@link EpollEventLayout}, native byte order), as if
     * {@code epoll_wait} had returned them.
     *
     * @param raw   the bytes of the events
     * @param count how many events (capped to what {@code raw} and the array hold)
     * @return how many handlers were called
     */
    int dispatchRaw(byte[] raw, int count) {
        checkOpen("dispatchRaw");
        int n = Math.max(0, Math.min(count, Math.min(maxEvents, raw.length / layout.size())));
        eventsView.put(0, raw, 0, n * layout.size());
        rawCount = n;
        return poll(0);
    }

    /** The event layout of this machine (for tests). */
    EpollEventLayout layout() {
        return layout;
    }

    /**
     * Nanoseconds to epoll_wait's milliseconds: negative → -1 (forever), 0 → 0, otherwise
     * rounded up (so never early), capped at Integer.MAX_VALUE ms (about 24 days).
     *
     * @param nanos the timeout
     * @return milliseconds for epoll_wait
     */
    static int toMillis(long nanos) {
        if (nanos < 0) {
            return -1;
        }
        long ms = nanos / 1_000_000 + (nanos % 1_000_000 != 0 ? 1 : 0);
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }

    @Override
    protected void signal() {
        // EAGAIN would mean the counter is saturated: already signalled, nothing to do.
        LibC.write(eventFd, ONE_ADDRESS, 8);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    protected void release() {
        for (EpollRegistration r : slots) {
            if (r != null) {
                forget(r);
            }
        }
        Arrays.fill(slots, null);
        Arrays.fill(keys, 0);
        registered = 0;
        LibC.close(eventFd);
        LibC.close(epfd);
        NativeMemory.free(events, eventsBytes);
        NativeMemory.free(scratch, SCRATCH_BYTES);
        events = 0;
    }

    /**
     * How many registrations are live (for tests and diagnostics).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the count
     */
    public int registrations() {
        return registered;
    }

    /**
     * The current capacity of the event array (for tests and diagnostics).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return entries per epoll_wait
     */
    public int eventCapacity() {
        return maxEvents;
    }

    @Override
    public String toString() {
        return "EpollPoller[epfd " + epfd + ", " + registered + " registrations"
                + (isClosed() ? ", closed" : "") + "]";
    }
}
