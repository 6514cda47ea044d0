package dev.pollen.linux.netty;

import dev.pollen.spi.AbstractRegistration;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.IoSource;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketLayer;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Poller} that drives Netty 4.2's {@code EpollIoHandler} (Netty's JNI epoll) from
 * Pollen's loop, through Netty's public {@code IoHandler} API only.
 *
 * <p>How one {@link #poll(long)} maps onto Netty: it calls {@code IoHandler.run(IoHandlerContext)}
 * with this poller's context, which answers {@code canBlock()} (false for a zero timeout or once
 * a wakeup is requested; Netty asks twice, the second time after publishing that it is about to
 * sleep, which is what makes a concurrent wakeup safe), {@code deadlineNanos()} (the
 * <em>absolute</em> {@link System#nanoTime()} deadline, -1 for none) and
 * {@code delayNanos(now)}. Netty then waits, and calls {@link NettyRegistration#handle} for each
 * ready fd. Netty's wait may end before the deadline without an event (its millisecond
 * {@code epoll_wait} path rounds the timeout down; a stale timerfd expiry), so {@code poll} runs
 * it again until the deadline has passed: a poll never returns early.
 *
 * <p>Wakeups: {@link #wakeup()} sets a flag, then calls Netty's {@code wakeup()}, which writes
 * Netty's eventfd only if the loop is inside {@code epoll_wait} (Netty tracks that itself). The
 * flag makes a wakeup that arrives before the poll (or before Netty's second {@code canBlock})
 * end the poll at once; it is cleared when the poll returns, so wakeups coalesce.
 *
 * <p><b>Threading:</b> loop thread only, except {@link #wakeup()}, {@link #isClosed()},
 * {@link #name()} and {@link #sockets()} (any thread).
 */
final class NettyEpollPoller implements Poller {

    /** The provider name. */
    static final String NAME = "netty-epoll";

    private static final long NO_DEADLINE = -1L;
    /** Longer timeouts are "forever" (Netty itself treats 2^31 s and more as forever). */
    private static final long MAX_FINITE_TIMEOUT = TimeUnit.DAYS.toNanos(365L * 60);

    private final LoopThreadExecutor executor = new LoopThreadExecutor();
    private final io.netty.channel.IoHandler netty;
    private final NettySocketLayer sockets;
    private final Context context = new Context();
    private volatile boolean closed;
    private volatile boolean wakeupRequested;

    // Loop-thread state.
    private long runNumber;
    private boolean blocking;
    private long deadline = NO_DEADLINE;
    private int dispatched;
    private Throwable failure;
    /** Events collected in a run after a handler failed, delivered first by the next poll. */
    private NettyRegistration[] deferred;
    private int[] deferredOps;
    private int deferredCount;
    private int deferredNext;

    /**
     * Opens Netty's epoll instance, eventfd and timerfd.
     *
     * @param factory {@code EpollIoHandler.newFactory()}
     * @throws UncheckedIOException if the kernel refuses (e.g. out of descriptors)
     */
    NettyEpollPoller(IoHandlerFactory factory) {
        io.netty.channel.IoHandler h;
        try {
            h = factory.newHandler(executor);
        } catch (RuntimeException e) {
            // Netty throws ChannelException("epoll_create1() failed: ...") and friends
            throw new UncheckedIOException(new IOException(
                    "netty-epoll: cannot create the epoll instance: " + e.getMessage(), e));
        }
        netty = h;
        netty.initialize();
        sockets = new NettySocketLayer(this);
    }

    /**
     * {@value #NAME}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the provider name
     */
    @Override
    public String name() {
        return NAME;
    }

    /**
     * The socket layer (Netty's {@code io.netty.channel.unix} sockets).
     *
     * <p><b>Threading:</b> any thread; its methods are loop-thread only.
     *
     * @return the sockets
     */
    @Override
    public SocketLayer sockets() {
        return sockets;
    }

    /**
     * Registers a source (see {@link Poller#register}); a zero mask does not touch the kernel.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public Registration register(IoSource source, int ops, IoHandler handler) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(handler, "handler");
        ensureOpen();
        AbstractRegistration.checkOps(ops, "ops must be a subset of READ | WRITE (3)");
        if (!(source instanceof NettySource s) || s.poller != this) {
            throw new IllegalArgumentException("source " + source + " was not made by this poller's "
                    + "sockets(); a source can only be registered with the poller that made it");
        }
        if (!s.isOpen()) {
            throw new IllegalArgumentException("source " + source + " is closed");
        }
        if (s.registration != null) {
            throw new IllegalStateException("source " + source + " is already registered with "
                    + "this poller; change its interest through the existing registration");
        }
        executor.claim();
        NettyRegistration r = new NettyRegistration(this, s, handler);
        r.interest(ops);
        s.registration = r;
        return r;
    }

    /**
     * Waits for readiness or a wakeup and dispatches (see {@link Poller#poll}).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public int poll(long timeoutNanos) {
        ensureOpen();
        executor.claim();
        executor.runPending();
        dispatched = 0;
        if (deferredNext < deferredCount && redeliverDeferred()) {
            if (wakeupRequested) {
                wakeupRequested = false; // this poll returned promptly: the wakeup is consumed
            }
            return dispatched;
        }
        boolean block = timeoutNanos != 0 && !wakeupRequested;
        long dl = NO_DEADLINE;
        if (block && timeoutNanos > 0 && timeoutNanos < MAX_FINITE_TIMEOUT) {
            dl = System.nanoTime() + timeoutNanos;
            if (dl == NO_DEADLINE) {
                dl = 0; // -1 means "no deadline" to Netty; one nanosecond later is never early
            }
        }
        try {
            for (;;) {
                runOnce(block, dl);
                if (!block || dispatched > 0 || failure != null || wakeupRequested) {
                    break;
                }
                // Netty came back with nothing for us: its millisecond epoll_wait rounds down,
                // a timerfd armed by an earlier poll fired, or it only consumed its own eventfd.
                if (dl != NO_DEADLINE && System.nanoTime() - dl >= 0) {
                    break;
                }
            }
        } finally {
            blocking = false;
            if (wakeupRequested) {
                wakeupRequested = false;
            }
        }
        Throwable f = failure;
        if (f != null) {
            failure = null;
            throw rethrow(f);
        }
        return dispatched;
    }

    /**
     * Delivers the events left over when a handler failed (IoHandler contract: "the remaining
     * events of that poll are dispatched on the next call"). Level-triggering alone would not
     * do: epoll would report the failing source first again, and it could starve the rest.
     *
     * @return true if a handler ran (the poll then returns without waiting)
     */
    private boolean redeliverDeferred() {
        while (deferredNext < deferredCount && failure == null) {
            int i = deferredNext++;
            NettyRegistration r = deferred[i];
            deferred[i] = null;
            r.redeliver(deferredOps[i]);
        }
        if (deferredNext == deferredCount) {
            deferredNext = 0;
            deferredCount = 0;
        }
        Throwable f = failure;
        if (f != null) {
            failure = null;
            throw rethrow(f);
        }
        return dispatched > 0;
    }

    void defer(NettyRegistration r, int ops) {
        if (deferred == null) {
            deferred = new NettyRegistration[16];
            deferredOps = new int[16];
        } else if (deferredCount == deferred.length) {
            deferred = Arrays.copyOf(deferred, deferredCount * 2);
            deferredOps = Arrays.copyOf(deferredOps, deferredCount * 2);
        }
        deferred[deferredCount] = r;
        deferredOps[deferredCount++] = ops;
    }

    private void runOnce(boolean block, long dl) {
        blocking = block;
        deadline = dl;
        runNumber++;
        netty.run(context);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new UndeclaredThrowableException(t, "an IoHandler threw a checked exception");
    }

    /**
     * Makes the current or next poll return promptly; coalesced; nothing after close.
     *
     * <p><b>Threading:</b> any thread.
     */
    @Override
    public void wakeup() {
        if (closed || wakeupRequested) {
            return;
        }
        // Flag first, then Netty: Netty's loop publishes "about to sleep" before its second
        // canBlock(), and its wakeup() writes the eventfd only if it sees that; with the flag
        // written first, either the loop sees the flag or we see the sleeper. After close Netty's
        // state says "awake", so its wakeup() never writes to the closed eventfd.
        wakeupRequested = true;
        netty.wakeup();
    }

    /**
     * Cancels Netty's registrations and closes the epoll fd, eventfd and timerfd. Sources stay
     * open. Idempotent.
     *
     * <p><b>Threading:</b> loop thread (or any thread once the loop thread is gone).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        executor.claim();
        closed = true;
        try {
            netty.prepareToDestroy();
        } finally {
            netty.destroy();
            executor.discardPending();
            deferred = null;
            deferredCount = 0;
            deferredNext = 0;
        }
    }

    /**
     * Whether {@link #close()} was called.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true after close
     */
    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "NettyEpollPoller[" + (closed ? "closed" : "open") + "]";
    }

    // ---- for the registrations and sockets of this package ------------------------------------

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the netty-epoll poller is closed");
        }
    }

    void claim() {
        executor.claim();
    }

    IoRegistration registerWithNetty(NettyRegistration r) {
        executor.claim();
        try {
            return netty.register(r);
        } catch (Exception e) {
            throw new UncheckedIOException(epollCtlFailure("ADD", r.source(), e));
        }
    }

    IOException epollCtlFailure(String op, IoSource source, Throwable cause) {
        String what = cause instanceof Errors.NativeIoException n
                ? Errno.describe(-n.expectedErr()) : String.valueOf(cause);
        return new IOException("epoll_ctl(EPOLL_CTL_" + op + ", " + source + "): " + what, cause);
    }

    long runNumber() {
        return runNumber;
    }

    /** False once a handler failed in this poll: the rest wait for the next (level-triggered). */
    boolean dispatching() {
        return failure == null;
    }

    void countDispatch() {
        dispatched++;
    }

    void handlerFailed(Throwable t) {
        if (failure == null) {
            failure = t;
        }
    }

    /** The answers Netty's {@code EpollIoHandler.run} asks for. Loop thread only. */
    private final class Context implements IoHandlerContext {

        @Override
        public boolean canBlock() {
            // asked twice per run; the second time after Netty has published that it will sleep
            return blocking && !wakeupRequested;
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            long d = deadline;
            if (d == NO_DEADLINE) {
                return Long.MAX_VALUE;
            }
            return Math.max(0, d - currentTimeNanos);
        }

        @Override
        public long deadlineNanos() {
            return deadline; // absolute, System.nanoTime() based; -1 for none
        }
    }
}
