package dev.pollen.nio;

import dev.pollen.spi.AbstractRegistration;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.IoSource;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The portable {@link Poller} on {@link java.nio.channels.Selector} (epoll on Linux, kqueue on
 * macOS and the BSDs, WSAPoll-based wepoll on Windows, all inside the JDK).
 *
 * <h2>How the contract maps to NIO</h2>
 * <ul>
 *   <li><b>Dispatch</b> uses {@link Selector#select(Consumer, long)} (JDK 11+): the JDK calls one
 *       pre-allocated consumer per ready key, so a poll allocates nothing (no selected-key set,
 *       no iterator). Readiness is level-triggered, as the JDK's epoll and kqueue selectors
 *       are.</li>
 *   <li><b>Interest</b>: READ is {@code OP_ACCEPT} on a listener and {@code OP_READ} otherwise;
 *       WRITE is {@code OP_CONNECT} while a connect is pending and {@code OP_WRITE} otherwise.
 *       A zero mask sets the key's interest to 0, which the JDK's epoll/kqueue selectors turn into
 *       a removal from the kernel set. The key is created lazily, on the first non-zero mask.</li>
 *   <li><b>Wakeup</b>: {@link Selector#wakeup()} guarded by an atomic flag, set by the first
 *       {@code wakeup()} and cleared when the poll that it ends has returned from the selector, so
 *       a burst of wakeups costs one {@code Selector.wakeup()} (one eventfd write) and leaves at
 *       most one early return behind.</li>
 *   <li><b>Timeouts</b>: the selector takes milliseconds; the nanosecond timeout is rounded
 *       up, and a select that ends before the deadline with nothing to report (and no wakeup,
 *       and no thread interrupt) waits again for the rest.</li>
 *   <li><b>Closing a registered source</b>: the JDK postpones the real {@code close(2)} of a
 *       registered channel until a select deregisters its key, so a closed listener would keep
 *       its port. This poller runs a non-blocking {@code selectNow} right away (or, when the
 *       close happens inside a handler, right after the dispatch) to finish the close.</li>
 *   <li><b>Thread interrupts</b> are ignored, as by the native pollers: the status is kept,
 *       but a poll blocks normally (a Selector alone would return at once while it is set).</li>
 *   <li><b>A throwing handler</b>: the exception is held while the JDK finishes its loop over
 *       the ready keys; the keys after it are kept and dispatched by the next {@code poll}
 *       (without waiting), then the exception is thrown from this one.</li>
 * </ul>
 *
 * <p><b>Threading:</b> loop thread only, except {@link #wakeup()}, {@link #isClosed()},
 * {@link #name()} and {@link #sockets()}, which any thread may call.
 */
public final class NioPoller implements Poller {

    private static final VarHandle WAKEUP_PENDING;

    static {
        try {
            WAKEUP_PENDING = MethodHandles.lookup().findVarHandle(NioPoller.class, "wakeupPending",
                    int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Discards readiness during a select that only flushes cancelled keys (level-triggered:
     *  whatever it sees is reported again by the next poll). */
    private static final Consumer<SelectionKey> IGNORE = k -> { };

    private final Selector selector;
    private final NioSocketLayer sockets;
    private final Consumer<SelectionKey> dispatcher = this::dispatch;

    /** 1 from the first wakeup() until the poll it ends has left the selector. */
    @SuppressWarnings("unused") // accessed through WAKEUP_PENDING
    private volatile int wakeupPending;
    private volatile boolean closed;

    /** True while the selector is calling handlers. */
    private boolean dispatching;
    /** A registered source was closed during dispatch: flush the selector after it. */
    private boolean flushAfterDispatch;
    /** close() was called from a handler: close the selector after the dispatch. */
    private boolean closeAfterDispatch;
    /** Handlers called in the current poll. */
    private int dispatched;

    /** The first throwable of a handler in the current select; the rest of its keys are kept. */
    private Throwable failure;
    /** Ready keys left over by a handler that threw, replayed by the next poll (and their ops). */
    private SelectionKey[] leftoverKeys = new SelectionKey[0];
    private int[] leftoverOps = new int[0];
    private int leftoverCount;
    private int leftoverNext;

    /**
     * Opens a selector from the default {@link SelectorProvider}.
     *
     * <p><b>Threading:</b> any thread; the poller is then confined to the thread that polls it.
     *
     * @throws UncheckedIOException if the selector cannot be opened (e.g. out of descriptors)
     */
    public NioPoller() {
        this(SelectorProvider.provider());
    }

    /**
     * Opens a selector from {@code provider}; the socket layer makes its channels with the same
     * provider so they can be registered.
     *
     * <p><b>Threading:</b> any thread; the poller is then confined to the thread that polls it.
     *
     * @param provider the selector provider
     * @throws UncheckedIOException if the selector cannot be opened
     */
    public NioPoller(SelectorProvider provider) {
        Objects.requireNonNull(provider, "provider");
        try {
            this.selector = provider.openSelector();
        } catch (IOException e) {
            throw new UncheckedIOException("Selector.open() failed: " + e.getMessage(), e);
        }
        this.sockets = new NioSocketLayer(this, provider);
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return {@code "nio"}
     */
    @Override
    public String name() {
        return NioPollerProvider.NAME;
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> any thread may obtain it; its methods are loop-thread only.
     */
    @Override
    public NioSocketLayer sockets() {
        return sockets;
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public Registration register(IoSource source, int ops, IoHandler handler) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(handler, "handler");
        checkOpen("register");
        AbstractRegistration.checkOps(ops, NioRegistration.OPS_RULE);
        if (!(source instanceof NioSource s) || s.poller != this) {
            throw new IllegalArgumentException("source " + source + " was not made by this nio"
                    + " poller's socket layer; register a source with the poller whose sockets()"
                    + " made it");
        }
        if (!s.isOpen()) {
            throw new IllegalArgumentException("source is closed: " + s);
        }
        if (s.registration != null) {
            throw new IllegalStateException("source is already registered with this poller: " + s);
        }
        NioRegistration r = new NioRegistration(s, handler);
        if (s.key != null) {
            s.key.attach(r); // a key kept from an earlier, cancelled registration (interest 0)
        }
        if (ops != 0) {
            applyInterest(r, ops);
            r.registered(ops);
        }
        s.registration = r;
        return r;
    }

    /**
     * Sets the NIO interest of {@code r}'s key, creating the key on the first non-zero mask.
     *
     * @param r   the registration
     * @param ops READ | WRITE bits
     */
    void applyInterest(NioRegistration r, int ops) {
        NioSource s = r.source();
        int nio = s.nioOps(ops);
        try {
            if (s.key == null) {
                if (nio != 0) {
                    s.key = s.channel.register(selector, nio, r);
                }
            } else {
                s.key.interestOps(nio);
            }
        } catch (ClosedChannelException | CancelledKeyException e) {
            throw new IllegalStateException("source is closed: " + s, e);
        }
    }

    /**
     * Takes a cancelled registration out of the kernel set and off its key, so the dispatcher
     * skips the key even if this poll already collected it.
     *
     * @param r the cancelled registration
     */
    void detach(NioRegistration r) {
        SelectionKey k = r.source().key;
        if (k != null && k.attachment() == r) {
            k.attach(null);
            if (k.isValid()) {
                k.interestOps(0);
            }
        }
    }

    /**
     * Re-applies the interest of a stream socket whose connect just completed: {@code OP_CONNECT}
     * must become {@code OP_WRITE}, or the key (connected, POLLOUT ready, but the JDK only reports
     * OP_CONNECT while a connect is pending) would wake every select and report nothing.
     *
     * @param s the socket
     */
    void connected(NioSource s) {
        NioRegistration r = s.registration;
        if (r != null && r.interest() != 0 && s.key != null && s.key.isValid()) {
            s.key.interestOps(s.nioOps(r.interest()));
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only; not from inside one of this poller's handlers.
     */
    @Override
    public int poll(long timeoutNanos) {
        checkOpen("poll");
        if (dispatching) {
            throw new IllegalStateException(
                    "poll() called from inside an IoHandler of the same poller");
        }
        dispatched = 0;
        dispatching = true;
        // A Selector returns at once, every time, while the thread's interrupt status is set
        // (AbstractSelector.begin re-posts it as a wakeup), so an interrupted loop thread would
        // spin. epoll/kqueue pollers ignore Java interrupts; so does this one: the status is
        // cleared for the select and restored afterwards. An interrupt that arrives during a
        // select ends that one poll early, as EINTR would.
        boolean interrupted = Thread.interrupted();
        try {
            if (leftoverNext < leftoverCount && replayLeftovers() > 0) {
                return dispatched; // events of the poll whose handler threw: no wait
            }
            if (timeoutNanos == 0) {
                selector.selectNow(dispatcher);
                WAKEUP_PENDING.setVolatile(this, 0);
            } else {
                waitAndDispatch(timeoutNanos);
            }
        } catch (ClosedSelectorException e) {
            if (!closed) {
                throw e;
            }
            // closed from another thread once the loop thread was gone (a handler's close() is
            // deferred to the end of the dispatch and never gets here)
        } catch (IOException e) {
            throw new UncheckedIOException("Selector.select failed: " + e.getMessage(), e);
        } finally {
            dispatching = false;
            if (closeAfterDispatch) {
                closeSelector();
            } else if (flushAfterDispatch) {
                flush();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        Throwable t = failure;
        if (t != null) {
            failure = null;
            throw sneaky(t);
        }
        return dispatched;
    }

    /**
     * Dispatches the keys a throwing handler left over, as the contract asks ("the remaining
     * events of that poll are dispatched on the next call"), so that a handler that keeps throwing
     * cannot starve the sources reported after it. A throw here propagates at once; what is left
     * stays for the next call.
     *
     * @return handlers called
     */
    private int replayLeftovers() {
        while (leftoverNext < leftoverCount && !closed) {
            int i = leftoverNext++;
            SelectionKey key = leftoverKeys[i];
            leftoverKeys[i] = null;
            NioRegistration r = (NioRegistration) key.attachment();
            if (r == null || !key.isValid()) {
                continue;
            }
            int ready = leftoverOps[i] & r.interest();
            if (ready != 0) {
                dispatched++;
                r.handler().onReady(ready);
            }
        }
        if (leftoverNext >= leftoverCount) {
            leftoverNext = 0;
            leftoverCount = 0;
        }
        return dispatched;
    }

    private void keepLeftover(SelectionKey key, int ready) {
        if (leftoverCount == leftoverKeys.length) {
            int n = Math.max(16, leftoverCount * 2);
            leftoverKeys = Arrays.copyOf(leftoverKeys, n);
            leftoverOps = Arrays.copyOf(leftoverOps, n);
        }
        leftoverKeys[leftoverCount] = key;
        leftoverOps[leftoverCount++] = ready;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t; // handlers throw only unchecked exceptions and errors; this keeps the type
    }

    private void waitAndDispatch(long timeoutNanos) throws IOException {
        boolean forever = timeoutNanos < 0;
        long remaining = timeoutNanos;
        long deadline = forever ? 0 : System.nanoTime() + timeoutNanos;
        while (true) {
            if (forever) {
                selector.select(dispatcher, 0); // 0 means "no timeout" to a Selector
            } else {
                // Round up: Selector.select takes milliseconds, and the poll must never be early.
                long ms = remaining / 1_000_000 + (remaining % 1_000_000 != 0 ? 1 : 0);
                selector.select(dispatcher, ms);
            }
            // Clear the flag only after the select has returned: a wakeup() from here on issues a
            // new Selector.wakeup(), which makes the next select return at once. A wakeup() that
            // found the flag still set happened during this poll, which is returning anyway.
            boolean woken = (int) WAKEUP_PENDING.getAndSet(this, 0) != 0;
            // isInterrupted(): interrupted during this select (the status was clear before it)
            if (dispatched != 0 || failure != null || woken || closed
                    || Thread.currentThread().isInterrupted()) {
                return;
            }
            if (!forever) {
                remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return;
                }
            }
            // Otherwise the select ended with nothing to report (its own timer ran out a little
            // before ours, or every ready key was skipped): wait for the rest.
        }
    }

    /** The dispatcher: called by the selector once per ready key, on the loop thread. */
    private void dispatch(SelectionKey key) {
        NioRegistration r = (NioRegistration) key.attachment();
        // null: cancelled (possibly by an earlier handler of this poll). Invalid: its channel was
        // closed during this poll; the JDK still hands out keys it has not deregistered yet.
        if (r == null || closed || !key.isValid()) {
            return;
        }
        int nio = key.readyOps();
        int ready = ((nio & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0 ? READ : 0)
                | ((nio & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0 ? WRITE : 0);
        if (failure != null) {
            keepLeftover(key, ready); // an earlier handler of this select threw
            return;
        }
        // The interest of the moment: a handler earlier in this poll may have narrowed it.
        ready &= r.interest();
        if (ready != 0) {
            dispatched++;
            try {
                r.handler().onReady(ready);
            } catch (Throwable t) {
                // Let the JDK finish its loop over the ready keys (so it also clears its wakeup
                // state); the rest are kept for the next poll and t is thrown when select returns.
                failure = t;
            }
        }
    }

    /**
     * Called by a source after it closed a channel that has a key: the JDK defers the real
     * {@code close(2)} of a registered channel until a select deregisters the key, so a closed
     * listener would keep its port and a closed socket its descriptor. Flush now, or right after
     * the dispatch when called from a handler (a select cannot run inside a select).
     */
    void afterRegisteredClose() {
        if (closed) {
            return; // the selector is closed (or will be after the dispatch): keys are gone
        }
        if (dispatching) {
            flushAfterDispatch = true;
        } else {
            flush();
        }
    }

    /** A non-blocking select that deregisters cancelled keys; keeps a pending wakeup pending. */
    private void flush() {
        flushAfterDispatch = false;
        try {
            selector.selectNow(IGNORE);
        } catch (IOException | ClosedSelectorException e) {
            return; // nothing to flush into; the next poll reports the failure if it persists
        }
        // selectNow consumed any Selector.wakeup() issued so far. If a wakeup() is still pending
        // (flag set, poll not returned since), re-issue it so the next poll ends at once.
        if ((int) WAKEUP_PENDING.getVolatile(this) != 0) {
            selector.wakeup();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Only the first call after a poll has returned reaches {@link Selector#wakeup()}; the rest
     * cost one volatile read.
     *
     * <p><b>Threading:</b> any thread.
     */
    @Override
    public void wakeup() {
        if (closed) {
            return;
        }
        if ((int) WAKEUP_PENDING.getVolatile(this) == 0
                && WAKEUP_PENDING.compareAndSet(this, 0, 1)) {
            selector.wakeup(); // a no-op on a selector closed meanwhile
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Closes the selector (from a handler: as soon as the dispatch ends); channels stay open.
     *
     * <p><b>Threading:</b> loop thread only (or any thread once the loop thread is gone).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (dispatching) {
            closeAfterDispatch = true;
        } else {
            closeSelector();
        }
    }

    private void closeSelector() {
        closeAfterDispatch = false;
        try {
            selector.close();
        } catch (IOException ignored) {
            // close(2) of the epoll/kqueue descriptor failed: nothing left to release
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> any thread.
     */
    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Throws if closed.
     *
     * @param method the method called, for the message
     */
    void checkOpen(String method) {
        if (closed) {
            throw new IllegalStateException(method + "() called on a closed nio poller");
        }
    }

    /**
     * The selector, for tests in this package.
     *
     * @return the selector
     */
    Selector selector() {
        return selector;
    }

    @Override
    public String toString() {
        return "NioPoller[" + selector.provider().getClass().getName()
                + (closed ? ", closed]" : "]");
    }
}
