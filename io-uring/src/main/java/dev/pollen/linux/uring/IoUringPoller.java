package dev.pollen.linux.uring;

import dev.pollen.posix.FdCloseHook;
import dev.pollen.posix.FdSource;
import dev.pollen.posix.OsConstants;
import dev.pollen.posix.PosixSocketLayer;
import dev.pollen.spi.AbstractPoller;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.LoopThreadExecutor;
import dev.pollen.spi.Poller;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Poller} on Linux io_uring, through Netty 4.2's {@code IoUringIoHandler} (its ring,
 * its submission and completion queues, its eventfd wakeup) and Netty's public {@code IoHandler}
 * API only. Readiness comes from one-shot {@code IORING_OP_POLL_ADD} requests, re-armed before
 * each wait; with {@code -Dpollen.io_uring.multishot=true}, READ uses one multishot poll per
 * source instead, plus a one-shot level-triggered re-check that a reader saying it drained the
 * socket ({@link dev.pollen.spi.ReadDrainedHint}) saves ({@link IoUringRegistration} says how);
 * the sockets are
 * {@code pollen-posix}'s {@link PosixSocketLayer}. The generic part (checks, ready list,
 * dispatch, wakeup coalescing, re-waiting) is {@link AbstractPoller}'s.
 *
 * <p>One wait: the registrations whose interest changed or whose poll completed are brought in
 * line ({@link IoUringRegistration#sync}, queued submissions), a deadline becomes the
 * {@link WaitTimer}'s absolute timeout, then one {@code IoHandler.run} submits everything and
 * waits in the same {@code io_uring_enter}. Netty calls the registrations back for each
 * completion; they collect readiness, which goes on the ready list once the run returned (no
 * Pollen handler runs inside Netty).
 *
 * <p>Closing a socket whose ended registration still has a poll armed removes the poll at once
 * (one {@code io_uring_enter} with the removal): a poll request holds its own reference to the socket, so until it is gone the
 * kernel would keep the socket open (the port bound, the peer without its FIN) after
 * {@code close(2)}.
 *
 * <p>The ring is enabled by the first poll, on the loop thread ({@link RingThread} says why).
 *
 * <p>Signal: Netty's {@code wakeup()}, which writes Netty's eventfd (a read of it is always
 * armed in the ring) when called from a thread other than the loop's.
 *
 * <p><b>Threading:</b> loop thread only, except {@link #wakeup()}, {@link #isClosed()},
 * {@link #name()} and {@link #sockets()}, which any thread may call.
 */
public final class IoUringPoller extends AbstractPoller<FdSource, IoUringRegistration>
        implements FdCloseHook {

    /** The provider name. */
    static final String NAME = "io_uring";

    /**
     * The system property that turns multishot READ polls on ({@code true}); off by default, as
     * they measured costlier than one-shot polls on this ring (docs/pollers-io_uring.md).
     */
    static final String MULTISHOT_PROPERTY = "pollen.io_uring.multishot";

    /** Longer timeouts are "forever". */
    private static final long MAX_FINITE_TIMEOUT = TimeUnit.DAYS.toNanos(365L * 60);

    private final Executor executor = new Executor();
    private final io.netty.channel.IoHandler netty;
    private final PosixSocketLayer sockets;
    private final WaitTimer timer = new WaitTimer();
    private final RingThread ring;
    private final Context context = new Context();
    /** READ by multishot polls ({@link IoUringRegistration}); {@code -Dpollen.io_uring.multishot=true} turns it on. */
    private final boolean multishot = Boolean.getBoolean(MULTISHOT_PROPERTY);
    private boolean blocking;
    /** How many times Netty's {@code run} was called (for tests: Netty allocates per call). */
    long runs;

    /** Live registrations (for close); {@link IoUringRegistration#slot} is the index. */
    private IoUringRegistration[] live = new IoUringRegistration[64];
    private int liveCount;
    /** Registrations to {@link IoUringRegistration#sync} before the next wait. */
    private IoUringRegistration[] dirty = new IoUringRegistration[64];
    private int dirtyCount;
    /** Registrations with readiness collected during a run, reported after it. */
    private IoUringRegistration[] collected = new IoUringRegistration[64];
    private int collectedCount;
    /** Registrations that ended with a poll still armed since the last sync. */
    private int removalsPending;

    /**
     * Sets up a ring (Netty's defaults) and its wakeup eventfd.
     *
     * <p><b>Threading:</b> any thread; the poller then belongs to the thread that polls it.
     *
     * @param factory {@code IoUringIoHandler.newFactory()}
     * @throws UncheckedIOException if the kernel refuses (out of memory or descriptors, or
     *                              io_uring disabled after the provider's probe)
     */
    IoUringPoller(IoHandlerFactory factory) {
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
        sockets = new PosixSocketLayer(this, OsConstants.LINUX);
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
     * The POSIX socket layer of {@code pollen-posix} (libc through the binding
     * {@code -Dpollen.native} chose), made for this poller: it calls {@link #beforeClose} before
     * it closes a registered fd.
     *
     * <p><b>Threading:</b> any thread may obtain it; its methods are loop-thread only.
     *
     * @return the sockets
     */
    @Override
    public PosixSocketLayer sockets() {
        return sockets;
    }

    // ---- registration hooks --------------------------------------------------------------------

    @Override
    protected IoUringRegistration newRegistration(FdSource source, IoHandler handler) {
        executor.claim();
        IoUringRegistration r = new IoUringRegistration(this, source, handler, multishot);
        if (liveCount == live.length) {
            live = Arrays.copyOf(live, liveCount * 2);
        }
        r.slot = liveCount;
        live[liveCount++] = r;
        return r;
    }

    @Override
    protected void addInterest(IoUringRegistration r, int ops) {
        markDirty(r);
    }

    @Override
    protected void modifyInterest(IoUringRegistration r, int oldOps, int newOps) {
        markDirty(r);
    }

    @Override
    protected void removeInterest(IoUringRegistration r, int oldOps) {
        markDirty(r);
    }

    @Override
    protected void deregistered(IoUringRegistration r) {
        int last = --liveCount;
        IoUringRegistration moved = live[last];
        live[r.slot] = moved;
        moved.slot = r.slot;
        live[last] = null;
        if (r.isArmed()) {
            removalsPending++; // its poll still holds the socket: see beforeClose
        }
        markDirty(r); // gives Netty's registration back at the next sync
    }

    /**
     * Called by {@link FdSource#close()} before the fd is closed: ends the registration and, if
     * a poll is still armed for a registration that ended, submits its removal at once (see the
     * class comment). Completions that submission brings are reported by the next poll.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param source one of this poller's sources, still open
     */
    @Override
    public void beforeClose(FdSource source) {
        if (source.registration() != null) {
            source.registration().cancel();
        }
        if (removalsPending > 0 && !isClosed()) {
            executor.claim();
            ring.enter();
            syncDirty();
            blocking = false;
            runs++;
            netty.run(context); // submits the removals; completions are collected as usual
        }
    }

    void markDirty(IoUringRegistration r) {
        if (!r.dirty) {
            r.dirty = true;
            if (dirtyCount == dirty.length) {
                dirty = Arrays.copyOf(dirty, dirtyCount * 2);
            }
            dirty[dirtyCount++] = r;
        }
    }

    private void syncDirty() {
        // sync() may register with Netty, which never calls back into this list
        for (int i = 0; i < dirtyCount; i++) {
            IoUringRegistration r = dirty[i];
            dirty[i] = null;
            r.dirty = false;
            r.sync();
        }
        dirtyCount = 0;
        removalsPending = 0;
    }

    IoRegistration registerWithNetty(IoUringRegistration r) {
        try {
            return netty.register(r);
        } catch (Exception e) {
            throw new UncheckedIOException(new IOException("io_uring: cannot register " + r.source()
                    + " with the ring: " + e, e));
        }
    }

    // ---- waiting -------------------------------------------------------------------------------

    @Override
    protected void waitForReady(long timeoutNanos) {
        executor.claim();
        executor.runPending();
        ring.enter();
        syncDirty();
        blocking = timeoutNanos != 0 && collectedCount == 0;
        if (blocking && timeoutNanos > 0 && timeoutNanos < MAX_FINITE_TIMEOUT) {
            timer.arm(System.nanoTime() + timeoutNanos);
        }
        runs++;
        try {
            netty.run(context);
        } finally {
            blocking = false;
        }
        reportCollected();
    }

    /** {@link IoUringRegistration#handle} found readiness: kept until the run is over. */
    void collected(IoUringRegistration r, int ops) {
        if (r.collectedOps == 0) {
            if (collectedCount == collected.length) {
                collected = Arrays.copyOf(collected, collectedCount * 2);
            }
            collected[collectedCount++] = r;
        }
        r.collectedOps |= ops;
        markDirty(r); // the poll is spent: arm it again before the next wait
    }

    private void reportCollected() {
        for (int i = 0; i < collectedCount; i++) {
            IoUringRegistration r = collected[i];
            collected[i] = null;
            int ops = r.collectedOps;
            r.collectedOps = 0;
            if (!r.isCancelled()) {
                if ((ops & READ) != 0 && (r.interest() & READ) != 0) {
                    r.mayHaveMore = true; // until the reader says it drained (ReadDrainedHint)
                }
                ready(r, ops);
            }
        }
        collectedCount = 0;
    }

    @Override
    protected void signal() {
        // Netty arms a read of its eventfd before it waits and writes the eventfd from any thread
        // but the loop's; the base published WOKEN before calling this, and Netty asks canBlock()
        // before its wait, so either the loop sees WOKEN or the write ends its wait.
        netty.wakeup();
    }

    /** Removes the armed polls and the timeout, then tears down the ring and its eventfd. */
    @Override
    protected void release() {
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
            for (int i = 0; i < liveCount; i++) {
                forget(live[i]);
                live[i] = null;
            }
            liveCount = 0;
            Arrays.fill(dirty, 0, dirtyCount, null);
            dirtyCount = 0;
            Arrays.fill(collected, 0, collectedCount, null);
            collectedCount = 0;
        }
    }

    /**
     * How many registrations are live (for tests and diagnostics).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the count
     */
    public int registrations() {
        return liveCount;
    }

    @Override
    public String toString() {
        return "IoUringPoller[" + liveCount + " registrations" + (isClosed() ? ", closed" : "") + "]";
    }

    /** The answers Netty's {@code IoUringIoHandler.run} asks for. Loop thread only. */
    private final class Context implements IoHandlerContext {

        @Override
        public boolean canBlock() {
            return blocking && !wakeupPending();
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
