package dev.pollen.nio;

import dev.pollen.spi.AbstractPoller;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The portable {@link Poller} on {@link java.nio.channels.Selector} (epoll on Linux, kqueue on
 * macOS and the BSDs, WSAPoll-based wepoll on Windows, all inside the JDK). The generic part
 * (checks, ready list, dispatch, wakeup coalescing, re-waiting) is {@link AbstractPoller}'s; this
 * class is the selector calls.
 *
 * <h2>How the contract maps to NIO</h2>
 * <ul>
 *   <li><b>Waiting</b> uses {@link Selector#select(Consumer, long)} (JDK 11+): the JDK calls one
 *       pre-allocated consumer per ready key, which puts the key's registration on the ready
 *       list, so a poll allocates nothing (no selected-key set, no iterator). Readiness is
 *       level-triggered, as the JDK's epoll and kqueue selectors are. The selector takes
 *       milliseconds; the timeout is rounded up.</li>
 *   <li><b>Interest</b>: READ is {@code OP_ACCEPT} on a listener and {@code OP_READ} otherwise;
 *       WRITE is {@code OP_CONNECT} while a connect is pending and {@code OP_WRITE} otherwise.
 *       A zero mask sets the key's interest to 0, which the JDK's epoll/kqueue selectors turn into
 *       a removal from the kernel set. The key is created lazily, on the first non-zero mask, and
 *       kept (see {@link NioSource}).</li>
 *   <li><b>Signal</b>: {@link Selector#wakeup()}.</li>
 *   <li><b>Closing a registered source</b>: the JDK postpones the real {@code close(2)} of a
 *       registered channel until a select deregisters its key, so a closed listener would keep
 *       its port. For a listener this poller runs a non-blocking {@code selectNow} right away to
 *       finish the close (handlers run outside the select, so this works from a handler too); a
 *       socket's close is finished by the next poll, before it waits, or by a
 *       {@code selectNow} once {@value #CLOSE_BATCH} closes are waiting, because that select
 *       returns every ready key and a wave of closes would pay it once per close
 *       ({@link #afterRegisteredClose}).</li>
 * </ul>
 *
 * <p><b>Threading:</b> loop thread only, except {@link #wakeup()}, {@link #isClosed()},
 * {@link #name()} and {@link #sockets()}, which any thread may call.
 */
public final class NioPoller extends AbstractPoller<NioSource, NioRegistration> {

    /** Discards readiness during a select that only flushes cancelled keys (level-triggered:
     *  whatever it sees is reported again by the next poll). */
    private static final Consumer<SelectionKey> IGNORE = k -> { };

    private final Selector selector;
    private final NioSocketLayer sockets;
    private final Consumer<SelectionKey> collector = this::collect;
    /**
     * Registered sockets closed since the last select (their {@code close(2)} waits for it): at
     * {@value #CLOSE_BATCH} the next close runs one. Netty's NIO transport bounds its cancelled
     * keys the same way (a select after 256).
     */
    static final int CLOSE_BATCH = 256;
    private int closesDeferred;

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

    // ------------------------------------------------------------------ registration hooks

    @Override
    protected NioRegistration newRegistration(NioSource source, IoHandler handler) {
        NioRegistration r = new NioRegistration(this, source, handler);
        if (source.key != null) {
            source.key.attach(r); // a key kept from an earlier, cancelled registration
        }
        return r;
    }

    /** Sets the NIO interest of {@code r}'s key, creating the key on the first non-zero mask. */
    @Override
    protected void addInterest(NioRegistration r, int ops) {
        NioSource s = r.source();
        if (!s.isOpen()) {
            throw new IllegalStateException("source " + s + " is closed");
        }
        int nio = s.nioOps(ops);
        try {
            if (s.key == null) {
                if (nio != 0) { // WRITE on a listener is no NIO op at all: no key yet
                    s.key = s.channel.register(selector, nio, r);
                }
            } else {
                s.key.interestOps(nio);
            }
        } catch (ClosedChannelException | CancelledKeyException e) {
            throw new IllegalStateException("source " + s + " is closed", e);
        }
    }

    @Override
    protected void removeInterest(NioRegistration r, int oldOps) {
        SelectionKey k = r.source().key;
        if (k != null && k.isValid()) {
            k.interestOps(0);
        }
    }

    /** Takes the registration off its key: a key collected by this poll then reports nothing. */
    @Override
    protected void deregistered(NioRegistration r) {
        SelectionKey k = r.source().key;
        if (k != null && k.attachment() == r) {
            k.attach(null);
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
        Registration r = s.registration();
        if (r != null && r.interest() != 0 && s.key != null && s.key.isValid()) {
            s.key.interestOps(s.nioOps(r.interest()));
        }
    }

    // ------------------------------------------------------------------ waiting

    @Override
    protected void waitForReady(long timeoutNanos) {
        closesDeferred = 0; // this select deregisters their keys (and closes them) before it waits
        try {
            if (timeoutNanos == 0) {
                selector.selectNow(collector);
            } else if (timeoutNanos < 0) {
                selector.select(collector, 0); // 0 means "no timeout" to a Selector
            } else {
                // Round up: the selector takes milliseconds, and a poll must never be early.
                long ms = timeoutNanos / 1_000_000 + (timeoutNanos % 1_000_000 != 0 ? 1 : 0);
                selector.select(collector, ms);
            }
        } catch (ClosedSelectorException e) {
            if (!isClosed()) {
                throw e;
            }
            // closed from another thread once the loop thread was gone
        } catch (IOException e) {
            throw new UncheckedIOException("Selector.select failed: " + e.getMessage(), e);
        }
    }

    /** The collector: called by the selector once per ready key, on the loop thread. */
    private void collect(SelectionKey key) {
        // null: cancelled. Invalid: its channel was closed; the JDK still hands out keys it has
        // not deregistered yet.
        if (!(key.attachment() instanceof NioRegistration r) || !key.isValid()) {
            return;
        }
        int nio = key.readyOps();
        ready(r, ((nio & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0 ? READ : 0)
                | ((nio & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0 ? WRITE : 0));
    }

    /**
     * Called by a source after it closed a channel that has a key. The JDK defers the real
     * {@code close(2)} of a registered channel until a select deregisters the key (it shuts a
     * connected socket's output down at once, unless linger is 0, so the peer reads end-of-stream
     * meanwhile). A non-blocking select deregisters it; the readiness it sees is dropped
     * (level-triggered, reported again). That select costs as much as the ready descriptors it
     * returns, all of them, so it is run at once only for a listener (whose port must be free
     * when {@code close} returns) and otherwise once per {@value #CLOSE_BATCH} deferred closes:
     * every poll deregisters the keys cancelled before it first thing, before it waits. A wave
     * of N closes then costs about N / {@value #CLOSE_BATCH} selects instead of N
     * (docs/pollers-nio.md).
     *
     * @param now whether the descriptor must be closed before this returns (a listener)
     */
    void afterRegisteredClose(boolean now) {
        if (isClosed()) {
            return; // the selector is closed: keys are gone
        }
        if (!now && ++closesDeferred < CLOSE_BATCH) {
            return; // the next poll's select closes it, before it waits
        }
        try {
            selector.selectNow(IGNORE);
        } catch (IOException | ClosedSelectorException e) {
            // nothing to flush into; the next poll reports the failure if it persists
        }
        closesDeferred = 0;
    }

    /**
     * How many closed sockets wait for a select to really close them (for tests in this package).
     *
     * @return the count since the last select
     */
    int closesDeferred() {
        return closesDeferred;
    }

    @Override
    protected void signal() {
        selector.wakeup(); // a no-op on a closed selector
    }

    /** Closes the selector; channels stay open. */
    @Override
    protected void release() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // close(2) of the epoll/kqueue descriptor failed: nothing left to release
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
                + (isClosed() ? ", closed]" : "]");
    }
}
