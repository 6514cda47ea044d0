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

import com.sun.jna.Native;
import dev.pollen.posix.DirectAddress;
import dev.pollen.posix.FdCloseHook;
import dev.pollen.posix.FdSource;
import dev.pollen.posix.LibC;
import dev.pollen.posix.NativeMemory;
import dev.pollen.posix.OsConstants;
import dev.pollen.posix.PosixErrors;
import dev.pollen.posix.PosixSocketLayer;
import dev.pollen.spi.AbstractRegistration;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.IoSource;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketLayer;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link Poller} on Linux epoll through JNA direct mapping: level-triggered, with an eventfd
 * for {@link #wakeup()}.
 *
 * <ul>
 *   <li>{@code epoll_wait} fills an off-heap event array (malloc'd, freed by {@link #close()})
 *       read through a direct-buffer view: no JNA call per event. It starts at 256 entries and
 *       doubles, up to 4096, whenever a wait fills it.</li>
 *   <li>{@code epoll_event.data} holds a registration key: a slot in a Java array plus a
 *       generation ({@link EpollRegistration}), so dispatch is an array index, not a map
 *       lookup.</li>
 *   <li>Interest zero means "not in the kernel set": registration is lazy (first non-zero
 *       interest does {@code EPOLL_CTL_ADD}) and dropping to zero does {@code EPOLL_CTL_DEL}.
 *       Setting the current interest again makes no system call.</li>
 *   <li>Timeouts are converted to milliseconds rounding <em>up</em>, so a poll never returns
 *       early for its own rounding; EINTR returns 0 (the loop recomputes its timeout).</li>
 *   <li>Wakeup is coalesced: an atomic flag lets only the first {@code wakeup()} between two
 *       polls write the eventfd; the poll that sees the eventfd reads it (draining the counter)
 *       and only then clears the flag.</li>
 * </ul>
 *
 * <p><b>Threading:</b> loop thread only, except {@link #wakeup()}, {@link #isClosed()} and
 * {@link #name()}, which any thread may call.
 */
public final class EpollPoller implements Poller, FdCloseHook {

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

    private static final VarHandle WAKEUP_PENDING;

    static {
        try {
            WAKEUP_PENDING = MethodHandles.lookup()
                    .findVarHandle(EpollPoller.class, "wakeupPending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

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
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int nextSlot;
    private int generation;
    private int registered;

    /** Events of the last wait not yet dispatched (a handler threw). */
    private int pendingIndex;
    private int pendingCount;

    /** 1 from the first wakeup() until the poll that drains the eventfd. */
    @SuppressWarnings("unused")
    private volatile int wakeupPending;
    /** Guards the eventfd against close while a wakeup writes it (so a reused fd is never hit). */
    private final Object wakeupLock = new Object();
    private boolean eventFdOpen;
    private volatile boolean closed;

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
            throw new IllegalStateException("epoll via JNA supports x86_64 and aarch64, not "
                    + arch);
        }
        int ep = EpollNative.epoll_create1(EPOLL_CLOEXEC);
        if (ep < 0) {
            throw new UncheckedIOException(PosixErrors.error(os, "epoll_create1",
                    Native.getLastError()));
        }
        int efd = EpollNative.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (efd < 0) {
            int e = Native.getLastError();
            LibC.close(ep);
            throw new UncheckedIOException(PosixErrors.error(os, "eventfd", e));
        }
        epfd = ep;
        eventFd = efd;
        eventFdOpen = true;
        scratch = NativeMemory.allocate(SCRATCH_BYTES);
        scratchView = NativeMemory.view(scratch, SCRATCH_BYTES);
        allocateEvents(INITIAL_EVENTS);
        scratchView.putInt(0, EPOLLIN);
        scratchView.putLong(layout.dataOffset(), WAKEUP_KEY);
        if (EpollNative.epoll_ctl(epfd, EPOLL_CTL_ADD, eventFd, scratch) != 0) {
            int e = Native.getLastError();
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

    @Override
    public String name() {
        return EpollPollerProvider.NAME;
    }

    @Override
    public SocketLayer sockets() {
        return sockets;
    }

    // ---------------------------------------------------------------- registration

    @Override
    public Registration register(IoSource source, int ops, IoHandler handler) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(handler, "handler");
        checkOpen("register");
        AbstractRegistration.checkOps(ops, EpollRegistration.OPS_RULE);
        if (!(source instanceof FdSource fs) || fs.layer() != sockets) {
            throw new IllegalArgumentException("source " + source + " was not made by this "
                    + "poller's sockets(): a source can only be registered with its own poller");
        }
        if (!fs.isOpen()) {
            throw new IllegalArgumentException("source " + source + " is closed");
        }
        if (fs.pollerData() != null) {
            throw new IllegalStateException("source " + source + " is already registered");
        }
        int slot = freeCount > 0 ? freeSlots[--freeCount] : nextSlot++;
        if (slot == slots.length) {
            slots = Arrays.copyOf(slots, slots.length * 2);
        }
        // Generations skip 0 and -1 so no key equals WAKEUP_KEY.
        generation = generation >= Integer.MAX_VALUE - 1 ? 1 : generation + 1;
        EpollRegistration r = new EpollRegistration(this, fs, handler, slot, generation);
        if (ops != 0) {
            try {
                ctl(EPOLL_CTL_ADD, r, ops);
            } catch (RuntimeException e) {
                freeSlots[freeCount++] = slot; // never stored: give the slot back
                throw e;
            }
            r.inKernel = true;
            r.registered(ops);
        }
        slots[slot] = r;
        fs.pollerData(r);
        registered++;
        return r;
    }

    /** Moves {@code r} to {@code ops} in the kernel; the checks are done by the registration. */
    void changeInterest(EpollRegistration r, int ops) {
        if (ops == 0) {
            // Out of the kernel set: nothing is reported and it costs the kernel nothing.
            ctl(EPOLL_CTL_DEL, r, 0);
            r.inKernel = false;
        } else if (!r.inKernel) {
            ctl(EPOLL_CTL_ADD, r, ops);
            r.inKernel = true;
        } else {
            ctl(EPOLL_CTL_MOD, r, ops);
        }
    }

    /** The kernel side of {@link EpollRegistration#cancel()}, called once it is marked. */
    void cancel(EpollRegistration r) {
        if (closed) {
            return; // close() already detached everything
        }
        if (r.inKernel) {
            // Also reached from FdSource.close() through beforeClose: the fd is still open here.
            scratchView.putInt(0, 0);
            // Errors are ignored: the registration is gone from our side whatever the kernel says.
            EpollNative.epoll_ctl(epfd, EPOLL_CTL_DEL, r.source().fd(), scratch);
        }
        r.inKernel = false;
        slots[r.slot] = null;
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
        }
        freeSlots[freeCount++] = r.slot;
        r.source().pollerData(null);
        registered--;
    }

    /** Called by {@link FdSource#close()} before the fd is closed. */
    @Override
    public void beforeClose(FdSource source) {
        if (source.pollerData() instanceof EpollRegistration r && r.poller == this) {
            r.cancel();
        }
    }

    private void ctl(int op, EpollRegistration r, int ops) {
        int bits = ((ops & READ) != 0 ? EPOLLIN : 0) | ((ops & WRITE) != 0 ? EPOLLOUT : 0);
        scratchView.putInt(0, bits);
        scratchView.putLong(layout.dataOffset(), r.key);
        if (EpollNative.epoll_ctl(epfd, op, r.source().fd(), scratch) != 0) {
            int e = Native.getLastError();
            String name = op == EPOLL_CTL_ADD ? "ADD" : op == EPOLL_CTL_MOD ? "MOD" : "DEL";
            throw new UncheckedIOException(PosixErrors.error(os,
                    "epoll_ctl(" + name + ", " + r.source() + ")", e));
        }
    }

    void checkOpen(String method) {
        if (closed) {
            throw new IllegalStateException(method + ": the epoll poller is closed");
        }
    }

    // ---------------------------------------------------------------- polling

    @Override
    public int poll(long timeoutNanos) {
        checkOpen("poll");
        if (pendingIndex < pendingCount) {
            // A handler threw during the last poll: deliver the rest of its events first.
            return dispatch();
        }
        int n;
        while (true) {
            n = EpollNative.epoll_wait(epfd, events, maxEvents, toMillis(timeoutNanos));
            if (n >= 0) {
                break;
            }
            int e = Native.getLastError();
            if (e == os.EINTR) {
                return 0; // allowed early return; the loop recomputes its timeout
            }
            throw new UncheckedIOException(PosixErrors.error(os, "epoll_wait", e));
        }
        pendingIndex = 0;
        pendingCount = n;
        int called = dispatch();
        if (n == maxEvents && maxEvents < MAX_EVENTS && !closed) {
            // The array was full: more may have been ready. Grow for the next wait.
            NativeMemory.free(events, eventsBytes);
            allocateEvents(maxEvents * 2);
        }
        return called;
    }

    private int dispatch() {
        int called = 0;
        ByteBuffer view = eventsView;
        int size = layout.size();
        int dataOffset = layout.dataOffset();
        // closed is re-read each time: a handler may close the poller, which frees the array.
        while (pendingIndex < pendingCount && !closed) {
            int off = pendingIndex++ * size;
            int bits = view.getInt(off);
            long key = view.getLong(off + dataOffset);
            if (key == WAKEUP_KEY) {
                drainWakeup();
                continue;
            }
            int slot = (int) key;
            EpollRegistration r = slot >= 0 && slot < slots.length ? slots[slot] : null;
            if (r == null || r.key != key) {
                continue; // cancelled (maybe slot reused) earlier in this dispatch
            }
            // Hang-up and errors are reported as readiness of whatever is registered.
            int ready = ((bits & READ_BITS) != 0 ? READ : 0) | ((bits & WRITE_BITS) != 0 ? WRITE : 0);
            ready &= r.interest();
            if (ready != 0) {
                called++;
                r.handler().onReady(ready);
            }
        }
        return called;
    }

    /**
     * Test hook for the fuzz test of the event decoding: dispatches {@code count} events laid out
     * in {@code raw} exactly as the kernel writes them into the event array (this machine's
     * {@link EpollEventLayout}, native byte order), as if {@code epoll_wait} had returned them.
     *
     * @param raw   the bytes of the events
     * @param count how many events (capped to what {@code raw} and the array hold)
     * @return how many handlers were called
     */
    int dispatchRaw(byte[] raw, int count) {
        checkOpen("dispatchRaw");
        int n = Math.max(0, Math.min(count, Math.min(maxEvents, raw.length / layout.size())));
        eventsView.put(0, raw, 0, n * layout.size());
        pendingIndex = 0;
        pendingCount = n;
        return dispatch();
    }

    /** The event layout of this machine (for tests). */
    EpollEventLayout layout() {
        return layout;
    }

    private void drainWakeup() {
        // Read (and so reset) the eventfd counter first, then clear the flag: a wakeup() racing
        // in between sees the flag still set and skips its write, which is fine because this poll
        // is returning anyway; the reverse order could leave the flag set with nothing written.
        LibC.read(eventFd, scratch + DRAIN_OFFSET, 8);
        WAKEUP_PENDING.setVolatile(this, 0);
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
    public void wakeup() {
        // Cheap when repeated: only the first caller since the last drain writes the eventfd.
        if (closed || (int) WAKEUP_PENDING.getVolatile(this) != 0
                || !WAKEUP_PENDING.compareAndSet(this, 0, 1)) {
            return;
        }
        synchronized (wakeupLock) {
            if (eventFdOpen) {
                // EAGAIN would mean the counter is saturated: already signalled, nothing to do.
                LibC.write(eventFd, ONE_ADDRESS, 8);
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (EpollRegistration r : slots) {
            if (r != null) {
                r.dropped();
                r.inKernel = false;
                r.source().pollerData(null);
            }
        }
        Arrays.fill(slots, null);
        registered = 0;
        pendingIndex = pendingCount = 0;
        synchronized (wakeupLock) {
            eventFdOpen = false;
            LibC.close(eventFd);
        }
        LibC.close(epfd);
        NativeMemory.free(events, eventsBytes);
        NativeMemory.free(scratch, SCRATCH_BYTES);
        events = 0;
    }

    @Override
    public boolean isClosed() {
        return closed;
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
                + (closed ? ", closed" : "") + "]";
    }
}
