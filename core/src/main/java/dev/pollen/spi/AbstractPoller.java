package dev.pollen.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * The machinery every {@link Poller} shares, so that a backend is only its kernel calls (the
 * role OpenJDK's {@code SelectorImpl} plays for {@code EPollSelectorImpl}, CPython's
 * {@code BaseSelector} for its selectors).
 *
 * <h2>What the base does</h2>
 * <ul>
 *   <li><b>Registration checks</b>, in this order and with one wording each: null arguments,
 *       poller closed, interest bits, a source of another poller, a closed source, a source
 *       already registered. Then the backend makes its registration object and, for a non-zero
 *       mask, adds it to the kernel; if that fails, the registration is dropped again.</li>
 *   <li><b>Interest changes</b> ({@link AbstractRegistration#interest(int)}): 0 to non-zero is
 *       {@link #addInterest}, non-zero to 0 is {@link #removeInterest}, any other change
 *       {@link #modifyInterest}; the current mask again costs nothing.</li>
 *   <li><b>The ready list.</b> A backend's {@link #waitForReady} reports readiness with
 *       {@link #ready(AbstractRegistration, int)} (two events for one registration are merged), or
 *       with {@link #readyOnce} if it merged them itself (the registration object is then first
 *       touched at dispatch);
 *       the base then calls each handler once with the readiness masked by the interest of the
 *       moment, skipping registrations that ended meanwhile. If a handler throws, the exception
 *       leaves {@code poll} at once and the rest of the list is dispatched by the next
 *       {@code poll}, before it waits.</li>
 *   <li><b>Timeouts and interrupts.</b> A wait that ends with nothing to report before the
 *       deadline (a backend's millisecond rounding, EINTR, a stale wakeup signal) is repeated for
 *       the rest of the timeout, so a poll never returns early on its own. The thread's interrupt
 *       status is cleared for the wait and restored afterwards (an interrupted loop thread must not
 *       spin); an interrupt that arrives during a wait ends that poll when the wait returns (at
 *       once for a {@code Selector}; a native wait is not interrupted).</li>
 *   <li><b>The wakeup gate</b>, the one place wakeups are coalesced: a state of AWAKE, BLOCKING
 *       (the loop is in, or about to enter, a blocking wait), WOKEN (a wakeup was asked for and
 *       no poll has returned since) or CLOSED. {@link #wakeup()} moves to WOKEN and calls the
 *       backend's {@link #signal()} only if it found BLOCKING, so a burst of wakeups costs one
 *       signal and a loop that is awake costs none: its next poll finds WOKEN and does not block.
 *       Every poll returns the gate to AWAKE. A signal sent just as the wait ended for another
 *       reason is left in the kernel; the next wait meets it, reports nothing, and is repeated,
 *       so no poll returns early because of it.</li>
 *   <li><b>Close</b>: idempotent; afterwards {@code register}, {@code poll} and
 *       {@code interest} throw, {@code wakeup} does nothing, and {@link #release()} runs once,
 *       never while a {@link #signal()} is in progress.</li>
 * </ul>
 *
 * <h2>What a backend implements</h2>
 * The kernel calls ({@link #addInterest}, {@link #modifyInterest}, {@link #removeInterest},
 * {@link #waitForReady}, {@link #signal}, {@link #release}) and its registration objects
 * ({@link #newRegistration}, optionally {@link #deregistered}). Which sources are the poller's
 * own, and a source's link to its registration, are the base's ({@link AbstractSource}, made by
 * this poller's {@link #sockets()}). For a Selector-like kernel, whose one call sets the
 * interest whatever it was, {@link #modifyInterest} need not be written.
 *
 * <p><b>Threading:</b> loop thread only, except {@link #wakeup()}, {@link #isClosed()},
 * {@link #name()} and {@link #sockets()}, which any thread may call. The hooks are called on the
 * loop thread, except {@link #signal()} (any thread).
 *
 * @param <S> the backend's source type
 * @param <R> the backend's registration type
 */
public abstract class AbstractPoller<S extends AbstractSource, R extends AbstractRegistration<S>>
        implements Poller {

    private final WakeupGate gate = new WakeupGate();
    /** Serialises {@link #signal()} against {@link #release()}: a released fd is never hit. */
    private final Object signalLock = new Object();
    private volatile boolean closed;

    /** Registrations with readiness, in the order reported; [readyIndex, readyCount) is left. */
    private AbstractRegistration<?>[] ready = new AbstractRegistration<?>[64];
    /** The ops {@link #readyOnce} reported for the entry at the same index (0 for {@link #ready}). */
    private int[] readyOpsOf = new int[64];
    private int readyCount;
    private int readyIndex;
    private boolean dispatching;

    /**
     * Makes an open poller; the subclass opens its kernel object in its own constructor.
     *
     * <p><b>Threading:</b> any thread; the poller is then confined to the thread that polls it.
     */
    protected AbstractPoller() {
    }

    // ------------------------------------------------------------------ registration

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public final Registration register(IoSource source, int ops, IoHandler handler) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(handler, "handler");
        checkOpen("register");
        AbstractRegistration.checkOps(ops);
        S s = ownSource(source);
        if (s == null) {
            throw new IllegalArgumentException("source " + source + " was not made by this "
                    + name() + " poller's sockets(); register a source with the poller whose"
                    + " sockets() made it");
        }
        if (!s.isOpen()) {
            throw new IllegalArgumentException("source " + source + " is closed");
        }
        if (s.registration != null) {
            throw new IllegalStateException("source " + source + " is already registered with"
                    + " this poller; change its interest through its registration");
        }
        R r = newRegistration(s, handler);
        if (ops != 0) {
            try {
                addInterest(r, ops);
            } catch (RuntimeException | Error e) {
                r.markCancelled();
                deregistered(r);
                throw e;
            }
            r.storeInterest(ops);
        }
        s.registration = r;
        return r;
    }

    /** Called by {@link AbstractRegistration#interest(int)} once its checks passed. */
    final void changeInterest(AbstractRegistration<S> reg, int oldOps, int newOps) {
        R r = cast(reg);
        if (oldOps == 0) {
            addInterest(r, newOps);
        } else if (newOps == 0) {
            removeInterest(r, oldOps);
        } else {
            modifyInterest(r, oldOps, newOps);
        }
    }

    /** Called once by {@link AbstractRegistration#cancel()}, after it marked itself. */
    final void cancelled(AbstractRegistration<S> reg) {
        R r = cast(reg);
        unlink(r);
        if (closed) {
            return; // release() took the kernel object and every registration with it
        }
        if (r.interest() != 0) {
            removeInterest(r, r.interest());
        }
        deregistered(r);
    }

    /**
     * Ends a registration without any kernel work, for a backend that learned the kernel already
     * forgot it (its poller's {@link #release()}, a source closed behind the poller's back): marks
     * it cancelled and unlinks it from its source. Its handler is never called again.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param r the registration
     */
    protected final void forget(R r) {
        r.markCancelled();
        unlink(r);
    }

    private void unlink(R r) {
        if (r.source().registration == r) {
            r.source().registration = null;
        }
    }

    @SuppressWarnings("unchecked")
    private R cast(AbstractRegistration<S> reg) {
        return (R) reg;
    }

    /** The source typed, if this poller's {@link #sockets()} made it (so it is an {@code S}). */
    @SuppressWarnings("unchecked")
    private S ownSource(IoSource source) {
        return source instanceof AbstractSource a && a.owner == sockets() ? (S) a : null;
    }

    // ------------------------------------------------------------------ polling

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only; not from inside one of this poller's handlers.
     */
    @Override
    public final int poll(long timeoutNanos) {
        checkOpen("poll");
        if (dispatching) {
            throw new IllegalStateException("poll() called from inside an IoHandler of the same "
                    + name() + " poller");
        }
        if (readyIndex < readyCount) {
            gate.exitWait(); // this poll returns at once: a pending wakeup is served by it
            return dispatchReady(); // what a throwing handler left over, without waiting
        }
        boolean block = timeoutNanos != 0 && gate.enterWait();
        boolean interrupted = Thread.interrupted();
        try {
            long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0L;
            long wait = block ? timeoutNanos : 0L;
            while (true) {
                waitForReady(wait);
                if (!block || readyCount > 0 || closed || gate.isWoken()
                        || Thread.currentThread().isInterrupted()) {
                    break;
                }
                if (timeoutNanos > 0) {
                    wait = deadline - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                }
                // Nothing to report, no wakeup, time left: the kernel returned early (rounding,
                // EINTR, a stale signal). A poll never returns early on its own: wait again.
            }
        } finally {
            gate.exitWait();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return dispatchReady();
    }

    /**
     * Reports readiness found by {@link #waitForReady}: the registration goes on the ready list
     * (once; a second report for it adds its ops). Dispatch masks the ops with the interest of
     * the moment, so a backend may report hang-up or error as {@code READ | WRITE}.
     *
     * <p><b>Threading:</b> loop thread only (from {@link #waitForReady}).
     *
     * @param r   a live registration of this poller
     * @param ops READ and/or WRITE
     */
    protected final void ready(R r, int ops) {
        if (ops == 0) {
            return;
        }
        if (r.readyOps == 0) {
            append(r, 0);
        }
        r.readyOps |= ops;
    }

    /**
     * Reports readiness like {@link #ready(AbstractRegistration, int)}, for a backend that reports
     * each registration at most once per {@link #waitForReady} (it merged its events itself): the
     * registration object is not read or written until its dispatch. With many connections it is
     * then fetched from memory once per event instead of twice (the collection and the dispatch
     * are a whole batch of system calls apart). Do not mix the two for one registration in one
     * wait.
     *
     * <p><b>Threading:</b> loop thread only (from {@link #waitForReady}).
     *
     * @param r   a live registration of this poller, not yet reported in this wait
     * @param ops READ and/or WRITE
     */
    protected final void readyOnce(R r, int ops) {
        if (ops != 0) {
            append(r, ops);
        }
    }

    private void append(AbstractRegistration<?> r, int ops) {
        if (readyCount == ready.length) {
            ready = Arrays.copyOf(ready, readyCount * 2);
            readyOpsOf = Arrays.copyOf(readyOpsOf, readyCount * 2);
        }
        readyOpsOf[readyCount] = ops;
        ready[readyCount++] = r;
    }

    private int dispatchReady() {
        int called = 0;
        dispatching = true;
        try {
            while (readyIndex < readyCount) {
                AbstractRegistration<?> r = ready[readyIndex];
                int merged = r.readyOps;
                if (merged != 0) {
                    r.readyOps = 0; // no store otherwise: a clean line costs no write-back
                }
                int ops = (merged | readyOpsOf[readyIndex]) & r.interest();
                ready[readyIndex++] = null;
                // The interest of the moment: an earlier handler may have narrowed it, cancelled
                // the registration, closed its source or closed this poller.
                if (ops != 0 && r.isValid()) {
                    called++;
                    r.handler().onReady(ops); // a throw leaves the rest for the next poll
                }
            }
            readyIndex = 0;
            readyCount = 0;
        } finally {
            dispatching = false;
        }
        return called;
    }

    /**
     * Whether a handler of this poller is running (for a backend whose kernel work must wait
     * until the dispatch is over).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true during dispatch
     */
    protected final boolean isDispatching() {
        return dispatching;
    }

    /**
     * Whether a wakeup is pending or the poller is closed: a backend whose kernel wait asks
     * "may I still block?" at the last moment (Netty's {@code IoHandlerContext.canBlock()})
     * answers with this.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true if the current wait must not block
     */
    protected final boolean wakeupPending() {
        return gate.isWoken();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Costs a {@link #signal()} only when the loop is blocked (or about to block) in a poll and
     * no other wakeup has signalled it since; otherwise one volatile read, or one
     * compare-and-set for the first wakeup after a poll.
     *
     * <p><b>Threading:</b> any thread.
     */
    @Override
    public final void wakeup() {
        if (gate.requestWakeup()) {
            synchronized (signalLock) {
                if (!closed) {
                    signal();
                }
            }
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * {@inheritDoc}
     *
     * <p>Marks the poller closed, then calls {@link #release()} once. Registrations become
     * invalid; the ready list is dropped.
     *
     * <p><b>Threading:</b> loop thread only (or any thread once the loop thread is gone).
     */
    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        gate.close();
        for (int i = readyIndex; i < readyCount; i++) {
            ready[i].readyOps = 0;
            ready[i] = null;
        }
        readyIndex = 0;
        readyCount = 0;
        synchronized (signalLock) {
            release();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> any thread.
     */
    @Override
    public final boolean isClosed() {
        return closed;
    }

    /**
     * Throws {@code IllegalStateException} if the poller is closed, with the one wording of that
     * error. Public for the backend's socket layer, which refuses to make sockets for a closed
     * poller.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param method the method called, for the message (e.g. {@code "register"})
     * @throws IllegalStateException if closed
     */
    public final void checkOpen(String method) {
        if (closed) {
            throw new IllegalStateException(method + "() called on a closed " + name() + " poller");
        }
    }

    // ------------------------------------------------------------------ the backend's part

    /**
     * Makes the registration object (with interest 0; nothing reaches the kernel yet).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param source  an open, unregistered source of this poller
     * @param handler the handler
     * @return the registration
     */
    protected abstract R newRegistration(S source, IoHandler handler);

    /**
     * Puts the source into the kernel's set with interest {@code ops} (it was not there).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param r   the registration
     * @param ops non-zero READ | WRITE bits
     * @throws java.io.UncheckedIOException if the kernel refuses
     */
    protected abstract void addInterest(R r, int ops);

    /**
     * Changes the interest of a source that is in the kernel's set. The default calls
     * {@link #addInterest}, which is right where one call sets the interest whatever it was (a
     * selection key's interest set, kqueue's filter states); epoll overrides it
     * ({@code EPOLL_CTL_MOD}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param r      the registration
     * @param oldOps the current interest (non-zero)
     * @param newOps the new interest (non-zero, different)
     * @throws java.io.UncheckedIOException if the kernel refuses
     */
    protected void modifyInterest(R r, int oldOps, int newOps) {
        addInterest(r, newOps);
    }

    /**
     * Takes the source out of the kernel's set (interest to 0, or the registration ended).
     * Called only while the poller is open.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param r      the registration
     * @param oldOps the interest it had (non-zero)
     */
    protected abstract void removeInterest(R r, int oldOps);

    /**
     * A registration ended (cancelled, or its first {@link #addInterest} failed): give back what
     * the backend keeps for it (a slot, an id). Called once, after {@link #removeInterest}. The
     * default does nothing.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param r the registration
     */
    protected void deregistered(R r) {
    }

    /**
     * One kernel wait: waits up to {@code timeoutNanos} (negative: until readiness or a signal;
     * 0: not at all) and reports what it finds with {@link #ready(AbstractRegistration, int)}.
     * Rounding the timeout up to the kernel's unit is the backend's; returning early (EINTR, the
     * wakeup signal) is allowed, the base decides whether to wait again. The backend consumes its
     * own wakeup signal here (drains the eventfd, the user event resets itself, ...). Not called
     * after close.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param timeoutNanos how long the kernel may wait
     * @throws java.io.UncheckedIOException if the kernel wait itself fails
     */
    protected abstract void waitForReady(long timeoutNanos);

    /**
     * Makes a blocked {@link #waitForReady} return (writes the eventfd, triggers the user event,
     * calls {@code Selector.wakeup()}). The base calls it at most once per blocking wait, never
     * after {@link #release()} has begun.
     *
     * <p><b>Threading:</b> any thread.
     */
    protected abstract void signal();

    /**
     * Releases the kernel object and native memory, and ends the registrations (with
     * {@link #forget}); the sources stay open. Called once, by {@link #close()}.
     *
     * <p><b>Threading:</b> the thread that closes the poller.
     */
    protected abstract void release();
}
