package dev.pollen.linux.uring;

import dev.pollen.spi.LoopThreadExecutor;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The {@code netty} engine: Netty 4.2's {@code IoUringIoHandler} (its ring, its submission and
 * completion queues, its eventfd wakeup), driven through Netty's public {@code IoHandler} API.
 * Each registration with a poll armed is a Netty registration ({@link IoUringRegistration} is
 * the {@code IoUringIoHandle} Netty calls back); the deadline of a wait is the
 * {@link WaitTimer}'s; the ring is enabled by the first poll, on the loop thread
 * ({@link RingThread} says why). The costs that led to the {@code ffm} engine are in
 * docs/pollers-io_uring.md.
 *
 * <p><b>Threading:</b> loop thread only, except {@link #signal()} (any thread).
 */
final class NettyEngine extends UringEngine {

    private final Executor executor = new Executor();
    private final io.netty.channel.IoHandler netty;
    private final WaitTimer timer = new WaitTimer();
    private final RingThread ring;
    private final Context context = new Context();
    private boolean blocking;

    /**
     * Sets up a ring (Netty's defaults, not single-issuer) and its wakeup eventfd.
     *
     * @throws UncheckedIOException if the kernel refuses
     */
    NettyEngine(IoUringPoller poller, IoHandlerFactory factory) {
        super(poller);
        io.netty.channel.IoHandler h;
        try {
            h = factory.newHandler(executor);
        } catch (RuntimeException | LinkageError e) {
            throw new UncheckedIOException(new IOException(
                    "io_uring: cannot set up a ring: " + e.getMessage(), e));
        }
        netty = h;
        ring = new RingThread(h); // enabled by the first poll, on the loop thread
        try {
            timer.attach(netty.register(timer)); // no kernel work yet
        } catch (Exception e) {
            ring.enter();
            netty.prepareToDestroy();
            netty.destroy();
            throw new UncheckedIOException(new IOException("io_uring: cannot register the timer", e));
        }
    }

    @Override
    String name() {
        return "netty";
    }

    @Override
    void claim() {
        executor.claim();
    }

    @Override
    void prepare() {
        executor.claim();
        executor.runPending();
        ring.enter();
    }

    /** Netty's registration of {@code r}, made with its first request. */
    private IoRegistration nettyOf(IoUringRegistration r) {
        if (r.netty == null) {
            try {
                r.netty = netty.register(r);
            } catch (Exception e) {
                throw new UncheckedIOException(new IOException("io_uring: cannot register "
                        + r.source() + " with the ring: " + e, e));
            }
        }
        return r.netty;
    }

    @Override
    long pollAdd(IoUringRegistration r, int pollMask, int pollFlags, short tag) {
        nettyOf(r);
        return accepted(r.netty.submit(new IoUringIoOps(IoUringRegistration.OP_POLL_ADD, (byte) 0,
                (short) 0, r.source().fd(), 0L, 0L, pollFlags, pollMask, tag, (short) 0,
                (short) 0, 0, 0L)), "a poll", r);
    }

    @Override
    void pollRemove(IoUringRegistration r, long udata) {
        removeRequest(r, IoUringRegistration.OP_POLL_REMOVE, udata);
    }

    /** Submits a request ({@code POLL_REMOVE} or {@code ASYNC_CANCEL}) that ends the one with {@code udata}. */
    private static void removeRequest(IoUringRegistration r, byte op, long udata) {
        r.netty.submit(new IoUringIoOps(op, (byte) 0, (short) 0,
                -1, 0L, udata, 0, 0, (short) 0, (short) 0, (short) 0, 0, 0L));
    }

    @Override
    long recv(IoUringRegistration r, long address, int len, boolean pollFirst, short tag) {
        return accepted(nettyOf(r).submit(new IoUringIoOps(IoUringRegistration.OP_RECV, (byte) 0,
                pollFirst ? IoUringRegistration.RECVSEND_POLL_FIRST : (short) 0, r.source().fd(), 0L,
                address, len, 0, tag, (short) 0, (short) 0, 0, 0L)), "a receive", r);
    }

    /** {@code udata}, unless it is 0: Netty refused the submission ({@code what}), which is a bug. */
    private static long accepted(long udata, String what, IoUringRegistration r) {
        if (udata == 0) {
            throw new IllegalStateException("io_uring: Netty refused " + what + " for " + r.source());
        }
        return udata;
    }

    @Override
    void cancel(IoUringRegistration r, long udata) {
        removeRequest(r, IoUringRegistration.OP_ASYNC_CANCEL, udata);
    }

    @Override
    void ended(IoUringRegistration r) {
        if (r.netty != null) {
            // Netty forgets the registration once the completions of what was submitted arrived.
            r.netty.cancel();
            r.netty = null;
        }
    }

    @Override
    void run(long timeoutNanos) {
        blocking = timeoutNanos != 0;
        if (timeoutNanos > 0 && timeoutNanos < MAX_FINITE_TIMEOUT) {
            timer.arm(System.nanoTime() + timeoutNanos);
        }
        poller.runs++;
        try {
            netty.run(context);
        } finally {
            blocking = false;
        }
    }

    @Override
    void submit() {
        blocking = false;
        poller.runs++;
        netty.run(context); // submits the removals; completions are collected as usual
    }

    @Override
    void signal() {
        // Netty arms a read of its eventfd before it waits and writes the eventfd from any thread
        // but the loop's; the base published WOKEN before calling this, and Netty asks canBlock()
        // before its wait, so either the loop sees WOKEN or the write ends its wait.
        netty.wakeup();
    }

    /** Removes the armed polls and the timeout, then tears down the ring and its eventfd. */
    @Override
    void release() {
        executor.claim();
        boolean usable;
        try {
            ring.enter(); // a ring never enabled is enabled here, so Netty can tear it down
            usable = true;
        } catch (IllegalStateException e) {
            usable = false; // never enter another thread's registered ring: leave this one be
        }
        try {
            if (usable) {
                ring.retainWakeupBuffer(); // if Netty's field moved, the old risk stays (docs)
                try {
                    netty.prepareToDestroy();
                } finally {
                    netty.destroy();
                }
            }
        } finally {
            executor.discardPending();
        }
    }

    /** The answers Netty's {@code IoUringIoHandler.run} asks for. Loop thread only. */
    private final class Context implements IoHandlerContext {

        @Override
        public boolean canBlock() {
            return blocking && !poller.mustNotBlock();
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return Long.MAX_VALUE; // the WaitTimer's timeout is the deadline
        }

        @Override
        public long deadlineNanos() {
            return -1; // no timeout of Netty's own
        }
    }

    /** The shared {@link LoopThreadExecutor} in the type Netty's {@code IoUringIoHandler} takes. */
    private static final class Executor extends LoopThreadExecutor implements ThreadAwareExecutor {
    }
}
