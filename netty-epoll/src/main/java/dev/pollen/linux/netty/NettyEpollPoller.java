package dev.pollen.linux.netty;

import dev.pollen.spi.AbstractPoller;
import dev.pollen.spi.ErrnoTable;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.IoSource;
import dev.pollen.spi.LoopThreadExecutor;
import dev.pollen.spi.Poller;
import dev.pollen.spi.SocketLayer;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.unix.Errors;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Poller} that drives Netty 4.2's {@code EpollIoHandler} (Netty's JNI epoll) from
 * Pollen's loop, through Netty's public {@code IoHandler} API only. The generic part (checks,
 * ready list, dispatch, wakeup coalescing, re-waiting) is {@link AbstractPoller}'s; this class
 * is the calls into Netty.
 *
 * <p>One wait is one {@code IoHandler.run(IoHandlerContext)} with this poller's context, which
 * answers {@code canBlock()} (false for a zero timeout or once a wakeup is pending; Netty asks
 * twice, the second time after publishing that it is about to sleep, which is what makes a
 * concurrent wakeup safe), {@code deadlineNanos()} (the <em>absolute</em>
 * {@link System#nanoTime()} deadline, -1 for none) and {@code delayNanos(now)}. Netty then waits
 * and calls {@link NettyRegistration#handle} for each ready fd, which puts it on the ready list.
 * Netty's wait may end before the deadline without an event (its millisecond {@code epoll_wait}
 * path rounds down; a stale timerfd expiry); the base then waits again for the rest.
 *
 * <p>Signal: Netty's {@code wakeup()}, which writes Netty's eventfd only if its loop is inside
 * {@code epoll_wait} (Netty tracks that itself). After close Netty's state says "awake", so it
 * never writes to the closed eventfd.
 *
 * <p><b>Threading:</b> loop thread only, except {@link #wakeup()}, {@link #isClosed()},
 * {@link #name()} and {@link #sockets()} (any thread).
 */
final class NettyEpollPoller extends AbstractPoller<NettySource, NettyRegistration> {

    /** The provider name. */
    static final String NAME = "netty-epoll";

    private static final long NO_DEADLINE = -1L;
    /** Longer timeouts are "forever" (Netty itself treats 2^31 s and more as forever). */
    private static final long MAX_FINITE_TIMEOUT = TimeUnit.DAYS.toNanos(365L * 60);

    private final Executor executor = new Executor();
    private final io.netty.channel.IoHandler netty;
    private final NettySocketLayer sockets;
    private final Context context = new Context();

    // Loop-thread state of the current run.
    private long runNumber;
    private boolean blocking;
    private long deadline = NO_DEADLINE;

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

    // ---- registration hooks --------------------------------------------------------------------

    @Override
    protected NettyRegistration newRegistration(NettySource source, IoHandler handler) {
        executor.claim();
        return new NettyRegistration(this, source, handler);
    }

    @Override
    protected void addInterest(NettyRegistration r, int ops) {
        r.addToKernel(ops);
    }

    @Override
    protected void modifyInterest(NettyRegistration r, int oldOps, int newOps) {
        r.submit(newOps);
    }

    @Override
    protected void removeInterest(NettyRegistration r, int oldOps) {
        r.removeFromKernel();
    }

    // ---- waiting -------------------------------------------------------------------------------

    @Override
    protected void waitForReady(long timeoutNanos) {
        executor.claim();
        executor.runPending();
        long dl = NO_DEADLINE;
        if (timeoutNanos > 0 && timeoutNanos < MAX_FINITE_TIMEOUT) {
            dl = System.nanoTime() + timeoutNanos;
            if (dl == NO_DEADLINE) {
                dl = 0; // -1 means "no deadline" to Netty; one nanosecond later is never early
            }
        }
        blocking = timeoutNanos != 0;
        deadline = dl;
        runNumber++;
        try {
            netty.run(context);
        } finally {
            blocking = false;
        }
    }

    /** {@link NettyRegistration#handle} found readiness: onto the ready list. */
    void collected(NettyRegistration r, int ops) {
        ready(r, ops);
    }

    @Override
    protected void signal() {
        // Netty's loop publishes "about to sleep" before its second canBlock(), and its wakeup()
        // writes the eventfd only if it sees that; the base published WOKEN before calling this,
        // so either the loop sees WOKEN or this call sees the sleeper.
        netty.wakeup();
    }

    /** Cancels Netty's registrations and closes the epoll fd, eventfd and timerfd. */
    @Override
    protected void release() {
        executor.claim();
        try {
            netty.prepareToDestroy();
        } finally {
            netty.destroy();
            executor.discardPending();
        }
    }

    @Override
    public String toString() {
        return "NettyEpollPoller[" + (isClosed() ? "closed" : "open") + "]";
    }

    // ---- for the registrations and sockets of this package ------------------------------------

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
                ? ErrnoTable.LINUX.describe(-n.expectedErr()) : String.valueOf(cause);
        return new IOException("epoll_ctl(EPOLL_CTL_" + op + ", " + source + "): " + what, cause);
    }

    long runNumber() {
        return runNumber;
    }

    /** The answers Netty's {@code EpollIoHandler.run} asks for. Loop thread only. */
    private final class Context implements IoHandlerContext {

        @Override
        public boolean canBlock() {
            // asked twice per run; the second time after Netty has published that it will sleep
            return blocking && !wakeupPending();
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

    /** The shared {@link LoopThreadExecutor} in the type Netty's {@code EpollIoHandler} takes. */
    private static final class Executor extends LoopThreadExecutor implements ThreadAwareExecutor {
    }
}
