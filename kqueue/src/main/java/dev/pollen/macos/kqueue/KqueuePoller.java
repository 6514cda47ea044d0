package dev.pollen.macos.kqueue;

import dev.pollen.posix.FdCloseHook;
import dev.pollen.posix.FdSource;
import dev.pollen.posix.OsConstants;
import dev.pollen.posix.PosixErrors;
import dev.pollen.posix.PosixProcessLayer;
import dev.pollen.posix.PosixSocketLayer;
import dev.pollen.spi.AbstractPoller;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.Poller;
import dev.pollen.spi.ProcessLayer;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Objects;

/**
 * The {@link Poller} on kqueue: the macOS and FreeBSD kernels, or libkqueue on Linux. The
 * generic part (checks, ready list, dispatch, wakeup coalescing, re-waiting) is
 * {@link AbstractPoller}'s; this class is the kevent calls and kqueue's quirks.
 *
 * <h2>How the contract maps to kqueue</h2>
 * <ul>
 *   <li><b>Filters.</b> READ is an {@code EVFILT_READ} knote, WRITE an {@code EVFILT_WRITE}
 *       knote, both level-triggered (no {@code EV_CLEAR}). A knote is made when its op is first
 *       wanted, disabled (not deleted) when the op is dropped, re-enabled with
 *       {@code EV_ENABLE}, and deleted when the mask becomes 0 or the registration ends
 *       ({@link FilterState}). The two events of one fd are merged into one handler call.</li>
 *   <li><b>Batching.</b> Changes are queued in a change list during the loop iteration and
 *       applied by the next poll's {@code kevent()} together with its wait: one system call per
 *       iteration however many interests changed. A full list is flushed at once with a
 *       non-waiting {@code kevent()}.</li>
 *   <li><b>Wakeup.</b> An {@code EVFILT_USER} event with {@code EV_CLEAR}, triggered with
 *       {@code NOTE_TRIGGER} (the base's signal; its gate coalesces), so a burst of wakeups costs
 *       at most one {@code kevent()} and a loop that is awake costs none.</li>
 *   <li><b>Timeouts</b> go to the kernel as a {@code timespec}; a wait that ends with nothing to
 *       report before the deadline (rounding in libkqueue, EINTR, change errors) waits again for
 *       the rest, so a poll never returns early on its own.</li>
 *   <li><b>EV_EOF</b> is readiness of the filter's op; the socket error kqueue puts in
 *       {@code fflags} stays pending on the socket on the kernels, and is handed back to the
 *       socket on libkqueue, which consumed it to fill {@code fflags}.</li>
 *   <li><b>Closing a registered source</b> runs the {@link FdCloseHook} first: on libkqueue,
 *       which keeps the knotes of closed fds, the knotes are deleted right away; on the kernels,
 *       which drop them at close, the queued changes for that fd are discarded instead.</li>
 *   <li><b>Child processes</b> ({@link #sockets()}{@code .processes()}): the pipes are fds like
 *       sockets; the exit is watched as {@link KqueueConfig#childExit()} says. With
 *       {@code EVFILT_PROC} the exit source is a {@link ProcExitSource}, whose READ interest is an
 *       {@code EVFILT_PROC}/{@code NOTE_EXIT}/{@code EV_ONESHOT} knote on the pid (kept apart
 *       from the fd table: its ident is a pid). The exit is reported once, then the knote is
 *       gone; an {@code EV_ADD} that fails with {@code ESRCH} means the child is already a zombie
 *       (macOS cannot attach to one) and is reported as the exit too. {@code waitpid} in the
 *       process layer reaps the child either way.</li>
 * </ul>
 *
 * <p><b>Threading:</b> loop thread only, except {@link #wakeup()}, {@link #isClosed()},
 * {@link #name()} and {@link #sockets()}, which any thread may call.
 */
public final class KqueuePoller extends AbstractPoller<FdSource, KqueueRegistration> {

    /** The provider name. */
    public static final String NAME = "kqueue";
    /** Default size of the change list. */
    public static final int DEFAULT_CHANGES = 256;
    /** Default size of the event list (at least the change list: every change error must fit). */
    public static final int DEFAULT_EVENTS = 1024;
    /** The {@code ident} of the wakeup user event. */
    static final long WAKEUP_IDENT = 0;
    /** The {@code udata} of the wakeup user event; registrations use ids from 1. */
    static final long WAKEUP_UDATA = 0;

    private static final System.Logger LOG = System.getLogger(KqueuePoller.class.getName());
    /** ESRCH, "no such process": 3 on Linux, macOS and the BSDs. */
    private static final int ESRCH = 3;

    private final KqueueSyscalls sys;
    private final KqueueTarget target;
    private final OsConstants os;
    private final int kq;
    private final PosixSocketLayer sockets;
    private final ChangeList changes;
    private final KeventArray events;
    /** Results of non-waiting flushes (change errors; readiness there is ignored). */
    private final KeventArray flushResults;
    /** The trigger change, written once; GC-managed so a racing wakeup() never sees freed memory. */
    private final KeventArray trigger;
    private final Timespec timespec;
    private final Timespec zero;
    private final ChangeSink sink = this::queueChange;
    private final FdCloseHook closeHook = this::beforeClose;

    private long nextId = WAKEUP_UDATA + 1;
    /** Live registrations by fd. */
    private KqueueRegistration[] byFd = new KqueueRegistration[64];
    /** Registrations with failed changes found by an early flush, reported by the next poll. */
    private final ArrayList<KqueueRegistration> deferred = new ArrayList<>();
    /** How a child's exit is watched. */
    private final KqueueConfig.ChildExit childExit;
    /** Live process watches ({@link ProcExitSource}: the ident is a pid, not an fd), by id. */
    private final HashMap<Long, KqueueRegistration> procs = new HashMap<>();

    /**
     * Opens a kqueue.
     *
     * <p><b>Threading:</b> any thread; the poller is then confined to the thread that polls it.
     *
     * @param sys            the system calls (normally {@link JnaKqueue})
     * @param target         which kqueue implementation {@code sys} talks to
     * @param os             the host OS's socket and errno constants
     * @param changeCapacity size of the change list, at least 4
     * @param eventCapacity  size of the event list, at least {@code changeCapacity}
     * @throws UncheckedIOException     if {@code kqueue()} or the wakeup event fails
     * @throws IllegalArgumentException if a capacity is out of range
     */
    public KqueuePoller(KqueueSyscalls sys, KqueueTarget target, OsConstants os, int changeCapacity,
            int eventCapacity) {
        this(sys, target, os, changeCapacity, eventCapacity, KqueueConfig.ChildExit.AUTO);
    }

    /**
     * Opens a kqueue whose child processes' exits are watched as {@code childExit} says.
     *
     * <p><b>Threading:</b> any thread; the poller is then confined to the thread that polls it.
     *
     * @param sys            the system calls (normally {@link JnaKqueue})
     * @param target         which kqueue implementation {@code sys} talks to
     * @param os             the host OS's socket and errno constants
     * @param changeCapacity size of the change list, at least 4
     * @param eventCapacity  size of the event list, at least {@code changeCapacity}
     * @param childExit      how a child's exit is watched ({@link KqueueConfig#childExit()})
     * @throws UncheckedIOException     if {@code kqueue()} or the wakeup event fails
     * @throws IllegalArgumentException if a capacity is out of range
     */
    public KqueuePoller(KqueueSyscalls sys, KqueueTarget target, OsConstants os, int changeCapacity,
            int eventCapacity, KqueueConfig.ChildExit childExit) {
        this.childExit = Objects.requireNonNull(childExit, "childExit");
        this.sys = Objects.requireNonNull(sys, "sys");
        this.target = Objects.requireNonNull(target, "target");
        this.os = Objects.requireNonNull(os, "os");
        if (changeCapacity < 4) {
            throw new IllegalArgumentException("changeCapacity must be at least 4, got " + changeCapacity);
        }
        if (eventCapacity < changeCapacity) {
            // Change errors come back in the event list; with less room than changes, the kernel
            // fails the whole call and stops applying changes at the first error.
            throw new IllegalArgumentException("eventCapacity must be at least changeCapacity ("
                    + changeCapacity + "), got " + eventCapacity);
        }
        int fd = sys.kqueue();
        if (fd < 0) {
            throw new UncheckedIOException(PosixErrors.error(os, "kqueue", sys.lastError()));
        }
        this.kq = fd;
        KeventArray ch = null;
        KeventArray ev = null;
        KeventArray fr = null;
        Timespec ts = null;
        Timespec z = null;
        try {
            ch = new KeventArray(changeCapacity, target.keventSize);
            ev = new KeventArray(eventCapacity, target.keventSize);
            fr = new KeventArray(changeCapacity, target.keventSize);
            ts = new Timespec();
            z = new Timespec().set(0);
            this.trigger = KeventArray.gcManaged(1, target.keventSize);
            this.trigger.set(0, WAKEUP_IDENT, target.evfiltUser, 0, Kevent.NOTE_TRIGGER, 0, WAKEUP_UDATA);
            this.changes = new ChangeList(ch);
            this.events = ev;
            this.flushResults = fr;
            this.timespec = ts;
            this.zero = z;
            this.sockets = new PosixSocketLayer(closeHook, os, this::openProcesses);
            // EV_CLEAR: the user event resets once reported, so one trigger ends one poll.
            changes.add(WAKEUP_IDENT, target.evfiltUser, Kevent.EV_ADD | Kevent.EV_CLEAR, 0, WAKEUP_UDATA);
            int n = sys.kevent(kq, ch, 1, fr, fr.capacity(), z);
            changes.clear();
            if (n < 0) {
                throw new UncheckedIOException(PosixErrors.error(os, "kevent(EVFILT_USER, EV_ADD)",
                        sys.lastError()));
            }
            for (int i = 0; i < n; i++) {
                if (fr.filter(i) == target.evfiltUser && (fr.flags(i) & Kevent.EV_ERROR) != 0) {
                    throw new UncheckedIOException(PosixErrors.error(os,
                            "kevent(EVFILT_USER=" + target.evfiltUser + ", EV_ADD) on " + target.description,
                            (int) fr.data(i)));
                }
            }
        } catch (RuntimeException | Error e) {
            sys.close(fd);
            for (KeventArray a : new KeventArray[] {ch, ev, fr}) {
                if (a != null) {
                    a.free();
                }
            }
            if (ts != null) {
                ts.free();
            }
            if (z != null) {
                z.free();
            }
            throw e;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return {@code "kqueue"}
     */
    @Override
    public String name() {
        return NAME;
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

    /**
     * The kqueue implementation this poller talks to.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the target
     */
    public KqueueTarget target() {
        return target;
    }

    // ------------------------------------------------------------------ child processes

    /** The socket layer's process layer, as {@link #childExit} says (null: the JDK fallback). */
    private ProcessLayer openProcesses(PosixSocketLayer layer) {
        return switch (childExit) {
            case PIDFD -> PosixProcessLayer.open(layer);
            case EVFILT_PROC -> PosixProcessLayer.open(layer, this::watchExit);
            case AUTO -> {
                PosixProcessLayer pidfd = PosixProcessLayer.open(layer);
                yield pidfd != null ? pidfd : PosixProcessLayer.open(layer, this::watchExit);
            }
        };
    }

    /** The EVFILT_PROC exit watch: a source whose READ interest is the knote. */
    private FdSource watchExit(int pid) {
        checkOpen("watchExit");
        return new ProcExitSource(sockets, pid);
    }

    /** Moves a process watch to {@code ops} (READ or nothing) and queues the change. */
    private void procInterest(KqueueRegistration reg, int ops) {
        int pid = ((ProcExitSource) reg.source()).pid;
        if ((ops & READ) != 0) {
            if (reg.readState == FilterState.ABSENT) {
                queueChange(pid, Kevent.EVFILT_PROC, Kevent.EV_ADD | Kevent.EV_ONESHOT,
                        Kevent.NOTE_EXIT, reg.id);
                reg.readState = FilterState.ENABLED;
                // Register-after-exit: a child that became a zombie before this add is not
                // reported by macOS (the knote attaches and never fires). One readiness after the
                // add is applied (the next poll applies it, then dispatches) lets the process
                // layer's waitpid(WNOHANG) look; the NOTE_EXIT covers every later exit.
                defer(reg, READ);
            }
        } else if (reg.readState != FilterState.ABSENT) {
            queueChange(pid, Kevent.EVFILT_PROC, Kevent.EV_DELETE, 0, reg.id);
            reg.readState = FilterState.ABSENT;
        }
    }

    /**
     * An EVFILT_PROC event: the child exited; its one-shot knote is gone.
     *
     * @param deferReadiness true when found by an early flush: reported by the next poll
     */
    private void procExited(long udata, boolean deferReadiness) {
        KqueueRegistration reg = procs.get(udata);
        if (reg == null) {
            return; // a watch that has ended since
        }
        reg.readState = FilterState.ABSENT;
        ((ProcExitSource) reg.source()).exited = true;
        if (deferReadiness) {
            defer(reg, READ);
        } else {
            ready(reg, READ);
        }
    }

    /**
     * An EVFILT_PROC change failed. A failed delete (ENOENT) needs nothing: the one-shot knote
     * had fired. A failed add with ESRCH means the process is gone or a zombie (older macOS
     * kernels refuse to attach to one): that is its exit. Any other error leaves the child
     * unwatched, which is logged, with one readiness so that {@code waitpid} looks.
     */
    private void procChangeFailed(long udata, int errno, boolean deferReadiness) {
        KqueueRegistration reg = procs.get(udata);
        if (reg == null || reg.readState == FilterState.ABSENT || errno == os.ENOENT) {
            // A delete that found the one-shot knote gone (an add never fails with ENOENT; the
            // kernels' error entries do not say which change failed, only its ident and filter).
            return;
        }
        if (errno == ESRCH) {
            procExited(udata, deferReadiness); // no such process any more: it has exited
            return;
        }
        // Not an exit: the child is unwatched from here on. Say so, and let waitpid(WNOHANG)
        // look once (the knote is forgotten; a new interest adds it again).
        LOG.log(System.Logger.Level.WARNING, "kqueue: EVFILT_PROC on pid "
                + ((ProcExitSource) reg.source()).pid + " failed: " + os.errno.describe(errno)
                + "; its exit is not watched");
        reg.readState = FilterState.ABSENT;
        if (deferReadiness) {
            defer(reg, READ);
        } else {
            ready(reg, READ);
        }
    }

    // ------------------------------------------------------------------ registration hooks

    @Override
    protected KqueueRegistration newRegistration(FdSource source, IoHandler handler) {
        KqueueRegistration reg = new KqueueRegistration(this, source, nextId++, handler);
        if (source instanceof ProcExitSource) {
            procs.put(reg.id, reg);
            return reg;
        }
        int fd = reg.fd;
        if (fd >= byFd.length) {
            byFd = Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2));
        }
        byFd[fd] = reg;
        return reg;
    }

    @Override
    protected void addInterest(KqueueRegistration reg, int ops) {
        if (reg.source() instanceof ProcExitSource) {
            procInterest(reg, ops);
        } else {
            applyInterest(reg, ops);
        }
    }

    @Override
    protected void removeInterest(KqueueRegistration reg, int oldOps) {
        addInterest(reg, 0);
    }

    /** Ends a registration; its knotes are deleted by the next kevent call. */
    @Override
    protected void deregistered(KqueueRegistration reg) {
        if (reg.source() instanceof ProcExitSource) {
            procInterest(reg, 0);
            procs.remove(reg.id);
            return;
        }
        dropFromTable(reg);
        deleteKnotes(reg);
    }

    /** Moves both filters to the states {@code ops} needs and queues the changes. */
    private void applyInterest(KqueueRegistration reg, int ops) {
        boolean any = ops != 0;
        int r = FilterState.target(reg.readState, (ops & READ) != 0, any);
        FilterState.transition(sink, target, reg.fd, Kevent.EVFILT_READ, reg.id, reg.readState, r);
        reg.readState = r;
        int w = FilterState.target(reg.writeState, (ops & WRITE) != 0, any);
        FilterState.transition(sink, target, reg.fd, Kevent.EVFILT_WRITE, reg.id, reg.writeState, w);
        reg.writeState = w;
    }

    private void deleteKnotes(KqueueRegistration reg) {
        FilterState.transition(sink, target, reg.fd, Kevent.EVFILT_READ, reg.id, reg.readState,
                FilterState.ABSENT);
        FilterState.transition(sink, target, reg.fd, Kevent.EVFILT_WRITE, reg.id, reg.writeState,
                FilterState.ABSENT);
        reg.readState = FilterState.ABSENT;
        reg.writeState = FilterState.ABSENT;
    }

    private void dropFromTable(KqueueRegistration reg) {
        if (reg.fd < byFd.length && byFd[reg.fd] == reg) {
            byFd[reg.fd] = null;
        }
    }

    /** The socket layer calls this before a source closes its fd. Never throws. */
    private void beforeClose(FdSource source) {
        if (!(source.registration() instanceof KqueueRegistration reg)) {
            return;
        }
        if (source instanceof ProcExitSource) {
            // No fd, so no number to be reused: the delete can wait for the next kevent call.
            forget(reg);
            procs.remove(reg.id);
            if (!isClosed()) {
                procInterest(reg, 0);
            }
            return;
        }
        forget(reg);
        dropFromTable(reg);
        if (isClosed()) {
            return; // the kqueue is gone, and its knotes with it
        }
        try {
            if (target.closeKeepsRegistrations) {
                // libkqueue never learns that the fd closed and keeps its knotes; a new fd with the
                // same number would inherit them (and then fail EV_ADD with errno 0). So the
                // EV_DELETE must reach it now, while the fd is still open: flush immediately.
                deleteKnotes(reg);
                if (changes.count() > 0) {
                    flush();
                }
            } else {
                // macOS and FreeBSD drop an fd's knotes when it closes. What must not happen is
                // that a change still queued for this fd reaches the kernel after the close: it
                // would fail, or land on a new file that got the same number.
                changes.purge(reg.fd);
                reg.readState = FilterState.ABSENT;
                reg.writeState = FilterState.ABSENT;
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "kqueue: deregistering " + source
                    + " before close failed", e);
        }
    }

    // ------------------------------------------------------------------ waiting

    /**
     * One {@code kevent()}: applies the queued changes and waits. Readiness an early flush found
     * (failed changes, a consumed socket error) is reported first, without waiting.
     */
    @Override
    protected void waitForReady(long timeoutNanos) {
        boolean hadDeferred = !deferred.isEmpty();
        takeDeferred();
        Timespec ts;
        if (timeoutNanos == 0 || hadDeferred) {
            ts = zero;
        } else if (timeoutNanos < 0) {
            ts = null;
        } else {
            ts = timespec.set(timeoutNanos);
        }
        int n = sys.kevent(kq, changes.array(), changes.count(), events, events.capacity(), ts);
        // The kernel applies the whole change list before it waits, so the list is spent even
        // when the wait then fails with EINTR.
        changes.clear();
        if (n < 0) {
            int errno = sys.lastError();
            if (errno != os.EINTR) {
                throw new UncheckedIOException(PosixErrors.error(os, "kevent", errno));
            }
            return; // a signal ended the wait: the base waits again for the rest
        }
        collect(n);
    }

    /** Reads {@code n} entries of the event list into the ready list. */    /** Reads {@code n} entries of the event list into the ready list; true if woken. */
    private void collect(int n) {
        KeventArray ev = events;
        for (int i = 0; i < n; i++) {
            short filter = ev.filter(i);
            // Returned flags are tested bit by bit, never compared whole: libkqueue hands back the
            // change's input bits (EV_ADD, EV_ENABLE, ...) together with EV_ERROR or EV_EOF.
            int flags = ev.flags(i);
            if (filter == target.evfiltUser) {
                continue; // the wakeup signal; EV_CLEAR has reset it
            }
            long ident = ev.ident(i);
            long udata = ev.udata(i);
            if ((flags & Kevent.EV_ERROR) != 0) {
                changeFailed(ident, filter, udata, (int) ev.data(i), false);
                continue;
            }
            if (filter == Kevent.EVFILT_PROC) {
                procExited(udata, false);
                continue;
            }
            int op = filter == Kevent.EVFILT_READ ? READ : filter == Kevent.EVFILT_WRITE ? WRITE : 0;
            if (op == 0) {
                continue;
            }
            KqueueRegistration reg = lookup(ident);
            if (reg == null || reg.id != udata) {
                staleKnote(reg, ident, filter);
                continue;
            }
            if ((flags & Kevent.EV_EOF) != 0) {
                endOfSocket(reg, ev.fflags(i));
            }
            // EV_EOF or not, the event is readiness of its op: the handler's read, write or
            // finishConnect meets the end of stream or the error itself.
            ready(reg, op);
        }
    }

    /**
     * Kernel quirk, EV_EOF: kqueue reports the end of a socket (the peer closed or reset it, or
     * a connect was refused) as {@code EV_EOF} on EVFILT_READ and EVFILT_WRITE, with the socket
     * error, if any, in {@code fflags} (macOS reports a refused connect exactly so, on
     * EVFILT_WRITE). The kernels leave the error pending on the socket, where {@code SO_ERROR}
     * and the next read or write find it, so there is nothing to do. libkqueue reads it with
     * {@code getsockopt(SO_ERROR)} to fill {@code fflags}, which cleared it: hand it back to the
     * socket, or a reset would read as a clean end-of-stream and a refused connect would never
     * finish.
     */
    private void endOfSocket(KqueueRegistration reg, int fflags) {
        if (fflags != 0 && target.eofConsumesSocketError) {
            reg.source().restoreSocketError(fflags);
        }
    }

    /**
     * An event whose udata matches no live registration of its fd. On the kernels that cannot
     * happen (queued deletes are applied before the scan, and closing an fd drops its knotes).
     * On libkqueue it means a knote outlived its fd (closed without our delete) and now reports
     * for the fd number: replace or delete it, or it would be reported forever.
     */
    private void staleKnote(KqueueRegistration reg, long ident, short filter) {
        if (!target.closeKeepsRegistrations) {
            return;
        }
        if (reg == null || reg.state(filter) == FilterState.ABSENT) {
            sink.change(ident, filter, Kevent.EV_DELETE, WAKEUP_UDATA);
        } else {
            FilterState.replaceLiveKnote(sink, target, ident, filter, reg.id, reg.state(filter));
        }
    }

    /**
     * A change came back with EV_ERROR.
     *
     * @param deferReadiness true when found by an early flush (possibly during a dispatch):
     *                       readiness is then reported by the next poll, not this one
     */
    private void changeFailed(long ident, short filter, long udata, int errno, boolean deferReadiness) {
        if (filter == Kevent.EVFILT_PROC) {
            procChangeFailed(udata, errno, deferReadiness);
            return;
        }
        KqueueRegistration reg = lookup(ident);
        if (reg == null || reg.id != udata) {
            return; // a change of a registration that has ended since: nothing to repair
        }
        int state = reg.state(filter);
        if (errno == 0 && target.reAddOfLiveFails) {
            // libkqueue fails an EV_ADD that meets a live knote of the same (fd, filter) with
            // errno 0, and keeps the old knote's udata. Replace the knote.
            if (state != FilterState.ABSENT) {
                FilterState.replaceLiveKnote(sink, target, ident, filter, reg.id, state);
            }
            return;
        }
        if (state == FilterState.ABSENT) {
            return; // an EV_DELETE failed (ENOENT, EBADF): the knote is gone either way
        }
        if (errno == os.ENOENT) {
            // EV_ENABLE/EV_DISABLE found no knote: make it again in the wanted state.
            FilterState.transition(sink, target, ident, filter, reg.id, FilterState.ABSENT, state);
            return;
        }
        // EV_ADD or EV_ENABLE failed for good (EBADF, EPIPE, EINVAL, ...): forget the knote and
        // report the op as ready, so the handler's read or write meets the error itself.
        reg.state(filter, FilterState.ABSENT);
        int op = filter == Kevent.EVFILT_READ ? READ : WRITE;
        if ((reg.interest() & op) == 0) {
            return;
        }
        if (deferReadiness) {
            defer(reg, op);
        } else {
            ready(reg, op);
        }
    }

    /** Readiness found by an early flush, for the next poll to report. */
    private void defer(KqueueRegistration reg, int op) {
        if (reg.deferredOps == 0) {
            deferred.add(reg);
        }
        reg.deferredOps |= op;
    }

    private KqueueRegistration lookup(long ident) {
        return ident >= 0 && ident < byFd.length ? byFd[(int) ident] : null;
    }

    private void takeDeferred() {
        if (deferred.isEmpty()) {
            return;
        }
        for (int i = 0; i < deferred.size(); i++) {
            KqueueRegistration reg = deferred.get(i);
            int ops = reg.deferredOps;
            reg.deferredOps = 0;
            if (!reg.isCancelled()) {
                ready(reg, ops);
            }
        }
        deferred.clear();
    }

    /** The change sink: appends to the batch, flushing first when it is full. */
    private void queueChange(long ident, short filter, int flags, long udata) {
        queueChange(ident, filter, flags, 0, udata);
    }

    private void queueChange(long ident, short filter, int flags, int fflags, long udata) {
        if (changes.isFull()) {
            flush();
        }
        changes.add(ident, filter, flags, fflags, udata);
    }

    /**
     * Applies the queued changes now, without waiting. The results array has a slot per change,
     * so every change error fits (the kernel would otherwise fail the call at the first error
     * and skip the rest). Readiness the zero-timeout scan returns is dropped: READ and WRITE are
     * level-triggered and the next wait reports them again. The wakeup event (EV_CLEAR) seen
     * here is a stale signal: the gate recorded the wakeup it belongs to.
     */
    private void flush() {
        int count = changes.count();
        int n = sys.kevent(kq, changes.array(), count, flushResults, flushResults.capacity(), zero);
        changes.clear();
        if (n < 0) {
            int errno = sys.lastError();
            if (errno == os.EINTR) {
                return; // changes are applied before the (zero) wait that was interrupted
            }
            throw new UncheckedIOException(PosixErrors.error(os, "kevent (flush of " + count
                    + " changes)", errno));
        }
        KeventArray r = flushResults;
        for (int i = 0; i < n; i++) {
            short filter = r.filter(i);
            int flags = r.flags(i);
            if (filter == target.evfiltUser) {
                continue;
            }
            if ((flags & Kevent.EV_ERROR) != 0) {
                changeFailed(r.ident(i), filter, r.udata(i), (int) r.data(i), true);
            } else if (filter == Kevent.EVFILT_PROC) {
                // Not level-triggered: the exit is reported once, so it cannot be dropped here.
                procExited(r.udata(i), true);
            } else if ((flags & Kevent.EV_EOF) != 0 && r.fflags(i) != 0
                    && target.eofConsumesSocketError) {
                // Readiness is dropped here, but this one cannot be: libkqueue consumed the
                // socket's error to report it, and the next wait will not see it again.
                consumedErrorInFlush(r.ident(i), filter, r.udata(i), r.fflags(i));
            }
        }
    }

    /** An EV_EOF with a consumed socket error met by an early flush: keep it for the next poll. */
    private void consumedErrorInFlush(long ident, short filter, long udata, int fflags) {
        int op = filter == Kevent.EVFILT_READ ? READ : filter == Kevent.EVFILT_WRITE ? WRITE : 0;
        KqueueRegistration reg = lookup(ident);
        if (op == 0 || reg == null || reg.id != udata) {
            return;
        }
        endOfSocket(reg, fflags);
        defer(reg, op);
    }

    /** Triggers the wakeup user event. */
    @Override
    protected void signal() {
        // No event list: apply the trigger and return. The trigger memory is GC-managed.
        sys.kevent(kq, trigger, 1, null, 0, null);
    }

    @Override
    protected void release() {
        for (int i = 0; i < byFd.length; i++) {
            KqueueRegistration reg = byFd[i];
            if (reg != null) {
                forget(reg);
                byFd[i] = null;
            }
        }
        for (KqueueRegistration reg : procs.values()) {
            forget(reg);
        }
        procs.clear();
        for (KqueueRegistration reg : deferred) {
            reg.deferredOps = 0;
        }
        deferred.clear();
        changes.clear();
        if (sys.close(kq) < 0) {
            LOG.log(System.Logger.Level.DEBUG, "kqueue: close(" + kq + ") failed: "
                    + os.errno.describe(sys.lastError()));
        }
        changes.array().free();
        events.free();
        flushResults.free();
        timespec.free();
        zero.free();
    }

    @Override
    public String toString() {
        return "KqueuePoller[" + target.description + ", kq fd " + kq + (isClosed() ? ", closed" : "") + "]";
    }
}
