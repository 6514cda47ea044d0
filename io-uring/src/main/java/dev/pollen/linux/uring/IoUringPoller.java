package dev.pollen.linux.uring;

import dev.pollen.posix.FdCloseHook;
import dev.pollen.posix.FdSource;
import dev.pollen.posix.OsConstants;
import dev.pollen.posix.PosixSocketLayer;
import dev.pollen.posix.PosixStreamSocket;
import dev.pollen.posix.ReadAhead;
import dev.pollen.posix.WriteBehind;
import dev.pollen.spi.AbstractPoller;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.Poller;
import java.util.Arrays;
import java.util.function.Function;

/**
 * A {@link Poller} on Linux io_uring. The ring is an engine ({@link UringEngine}): Pollen's own
 * over {@code java.lang.foreign} ({@code ffm}, JDK 22+) or Netty 4.2's {@code IoUringIoHandler}
 * ({@code netty}); {@code -Dpollen.io_uring.engine} chooses ({@link IoUringPollerProvider}). Everything
 * above the ring is here and in {@link IoUringRegistration}, the same for both. Readiness comes from one-shot {@code IORING_OP_POLL_ADD} requests, re-armed before
 * each wait; with {@code -Dpollen.io_uring.multishot=true}, READ uses one multishot poll per
 * source instead, plus a one-shot level-triggered re-check that a reader saying it drained the
 * socket ({@link dev.pollen.spi.ReadDrainedHint}) saves ({@link IoUringRegistration} says how);
 * with {@code -Dpollen.io_uring.recv=ahead}, READ on a stream socket is an
 * {@code IORING_OP_RECV} into a buffer of the socket's ({@link RecvStash}) instead, which the
 * socket's reads then copy from ({@link dev.pollen.posix.ReadAhead}), on either engine; with
 * {@code -Dpollen.io_uring.send=ring} (ffm engine), writes on a stream socket copy into a buffer
 * of the socket's and go out by {@code IORING_OP_SEND}s submitted with the next wait
 * ({@link SendQueue}, {@link dev.pollen.posix.WriteBehind}); the sockets are
 * {@code pollen-posix}'s {@link PosixSocketLayer}. The generic part (checks, ready list,
 * dispatch, wakeup coalescing, re-waiting) is {@link AbstractPoller}'s.
 *
 * <p>One wait: the registrations whose interest changed or whose poll completed are brought in
 * line ({@link IoUringRegistration#sync}, queued submissions), then the engine submits
 * everything and waits in the same {@code io_uring_enter} ({@link UringEngine#run}). The engine
 * calls the registrations back for each completion; they collect readiness, which goes on the
 * ready list once the run returned (no Pollen handler runs inside the engine).
 *
 * <p>Closing a socket whose ended registration still has a poll armed removes the poll at once
 * (one {@code io_uring_enter} with the removal): a poll request holds its own reference to the socket, so until it is gone the
 * kernel would keep the socket open (the port bound, the peer without its FIN) after
 * {@code close(2)}.
 *
 * <p>Signal: the engine's eventfd, which a request kept armed in the ring watches.
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

    /**
     * The system property that chooses how READ is served on stream sockets: {@code poll}
     * (readiness polls, then the reader's {@code recv(2)}; the default) or {@code ahead}
     * (an {@code IORING_OP_RECV} into a per-socket buffer ahead of the reader, {@link RecvStash}).
     */
    static final String RECV_PROPERTY = "pollen.io_uring.recv";

    /**
     * Parses {@value #RECV_PROPERTY}.
     *
     * @param value the property, or null when unset
     * @return true for {@code ahead}, false for {@code poll} or unset
     * @throws IllegalArgumentException for any other value, in one line saying what to use
     */
    static boolean receiveAhead(String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "poll" -> false;
            case "ahead" -> true;
            default -> throw new IllegalArgumentException("-D" + RECV_PROPERTY + "='" + value
                    + "' is not a way to read on io_uring: use poll (the default) or ahead");
        };
    }

    /**
     * The system property that chooses how stream sockets write: {@code syscall} (one
     * {@code send(2)} per write; the default) or {@code ring} (copied into a per-socket buffer and
     * sent by {@code IORING_OP_SEND} with the next wait, {@link SendQueue}; ffm engine only).
     */
    static final String SEND_PROPERTY = "pollen.io_uring.send";

    /**
     * Parses {@value #SEND_PROPERTY}.
     *
     * @param value the property, or null when unset
     * @return true for {@code ring}, false for {@code syscall} or unset
     * @throws IllegalArgumentException for any other value, in one line saying what to use
     */
    static boolean sendThroughRing(String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "syscall" -> false;
            case "ring" -> true;
            default -> throw new IllegalArgumentException("-D" + SEND_PROPERTY + "='" + value
                    + "' is not a way to write on io_uring: use syscall (the default) or ring");
        };
    }

    /**
     * The system property that sets the size from which reads and writes on stream sockets leave
     * the ring and use {@code recv(2)}/{@code send(2)} directly while {@code ahead}/{@code ring}
     * are on: a number of bytes (default {@value #DIRECT_FROM_DEFAULT}) or {@code never}. A write
     * of at least that many bytes to an empty send queue is sent with {@code send(2)}; a receive
     * that filled a buffer of at least that size hands the stream to direct reads until a read
     * returns less (docs/pollers-io_uring.md, "Large transfers go direct").
     */
    static final String DIRECT_FROM_PROPERTY = "pollen.io_uring.directFrom";
    /** The default of {@value #DIRECT_FROM_PROPERTY}, in bytes. */
    static final int DIRECT_FROM_DEFAULT = 16 * 1024;

    /**
     * Parses {@value #DIRECT_FROM_PROPERTY}.
     *
     * @param value the property, or null when unset
     * @return the size in bytes ({@link Integer#MAX_VALUE} for {@code never})
     * @throws IllegalArgumentException for anything but a positive number of bytes or
     *                                  {@code never}, in one line saying what to use
     */
    static int directFrom(String value) {
        if (value == null || value.isBlank()) {
            return DIRECT_FROM_DEFAULT;
        }
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("never")) {
            return Integer.MAX_VALUE;
        }
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below says what to use
        }
        throw new IllegalArgumentException("-D" + DIRECT_FROM_PROPERTY + "='" + value + "' is not"
                + " a size: use a number of bytes (default " + DIRECT_FROM_DEFAULT + ") or never");
    }

    /**
     * The system property that bounds how long a closed socket's queued bytes may keep going
     * through the ring ({@link SendQueue}, {@code -Dpollen.io_uring.send=ring}): milliseconds
     * from the close, {@value #SEND_LINGER_DEFAULT_MS} by default; a peer that has not taken the
     * rest by then gets a reset. 0 resets at the next wait whatever the kernel did not take at
     * the close.
     */
    static final String SEND_LINGER_PROPERTY = "pollen.io_uring.sendLinger";

    /**
     * The default of {@value #SEND_LINGER_PROPERTY}: 30 s, about what the kernel gives an orphaned
     * socket towards a peer that does not read, and HAProxy's usual {@code timeout client-fin}
     * (docs/pollers-io_uring.md, Decisions).
     */
    static final long SEND_LINGER_DEFAULT_MS = 30_000;

    /**
     * Parses {@value #SEND_LINGER_PROPERTY}.
     *
     * @param value the property, or null when unset
     * @return the bound in nanoseconds
     * @throws IllegalArgumentException for anything but a whole number of milliseconds, 0 or
     *                                  more, in one line saying what to use
     */
    static long sendLinger(String value) {
        if (value == null || value.isBlank()) {
            return java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(SEND_LINGER_DEFAULT_MS);
        }
        long ms;
        try {
            ms = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            ms = -1;
        }
        if (ms < 0 || ms > java.util.concurrent.TimeUnit.DAYS.toMillis(1)) {
            throw new IllegalArgumentException("-D" + SEND_LINGER_PROPERTY + "='" + value
                    + "' is not a linger time: use milliseconds from 0 to 86400000 (default "
                    + SEND_LINGER_DEFAULT_MS + ")");
        }
        return java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(ms);
    }

    private static final System.Logger LOG = System.getLogger("dev.pollen.linux.uring");
    /** The note that the netty engine does not send through the ring was logged (once per JVM). */
    private static final java.util.concurrent.atomic.AtomicBoolean SEND_NOTE = new java.util.concurrent.atomic.AtomicBoolean();

    /** The engine (the ring). */
    final UringEngine engine;
    private final PosixSocketLayer sockets;
    /** READ by multishot polls ({@link IoUringRegistration}); {@code -Dpollen.io_uring.multishot=true} turns it on. */
    private final boolean multishot = Boolean.getBoolean(MULTISHOT_PROPERTY);
    /** READ on stream sockets by receives ahead of the reader ({@value #RECV_PROPERTY}). */
    private final boolean recvAhead;
    /** Writes on stream sockets by sends through the ring ({@value #SEND_PROPERTY}, ffm engine). */
    private final boolean sendRing;
    /** Reads and writes from this size go direct ({@value #DIRECT_FROM_PROPERTY}). */
    final int directFrom;
    /** How long a closed socket's queued bytes may linger ({@value #SEND_LINGER_PROPERTY}), in nanoseconds. */
    final long sendLingerNanos;
    /** Send queues that outlived their registration (a closed socket's, still draining). */
    private SendQueue[] lingering = new SendQueue[4];
    private int lingeringCount;
    /** How many times the Netty engine's {@code run} was called (for tests: Netty allocates per call). */
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
    /**
     * Registrations that ended with a poll (or receive, or send) still armed since the last
     * sync: what a close must remove from the kernel before its {@code close(2)}. They are on
     * {@link #dirty} too; syncing one twice does nothing the second time.
     */
    private IoUringRegistration[] ending = new IoUringRegistration[16];
    private int endingCount;

    /**
     * Sets up a ring (through the engine) and its wakeup eventfd.
     *
     * <p><b>Threading:</b> any thread; the poller then belongs to the thread that polls it.
     *
     * @param engine makes the engine for this poller
     * @throws java.io.UncheckedIOException if the kernel refuses (out of memory or descriptors,
     *                                      or io_uring disabled after the provider's probe)
     * @throws IllegalArgumentException     if {@value #RECV_PROPERTY} has another value than
     *                                      {@code poll} or {@code ahead}, {@value #SEND_PROPERTY}
     *                                      another than {@code syscall} or {@code ring},
     *                                      {@value #DIRECT_FROM_PROPERTY} is not a size, or
     *                                      {@value #SEND_LINGER_PROPERTY} is no time in milliseconds
     */
    IoUringPoller(Function<IoUringPoller, UringEngine> engine) {
        recvAhead = receiveAhead(System.getProperty(RECV_PROPERTY)); // before any native work
        boolean ring = sendThroughRing(System.getProperty(SEND_PROPERTY));
        directFrom = directFrom(System.getProperty(DIRECT_FROM_PROPERTY));
        sendLingerNanos = sendLinger(System.getProperty(SEND_LINGER_PROPERTY));
        this.engine = engine.apply(this);
        sendRing = ring && this.engine.sends();
        if (ring && !sendRing && SEND_NOTE.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.INFO, "-D" + SEND_PROPERTY + "=ring needs the ffm engine (JDK 22+); the "
                    + this.engine.name() + " engine writes with send(2) system calls instead");
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
        engine.claim();
        IoUringRegistration r = new IoUringRegistration(this, source, handler, multishot,
                recvAhead ? stashFor(source) : null);
        if (sendRing && source instanceof PosixStreamSocket s) {
            r.sends = sendQueueFor(s, r);
        }
        if (liveCount == live.length) {
            live = Arrays.copyOf(live, liveCount * 2);
        }
        r.slot = liveCount;
        live[liveCount++] = r;
        return r;
    }

    /**
     * The read-ahead stash of a stream socket: the one it still has from an earlier registration
     * (bytes or a receive in flight; a spliced socket's stash then only gives out what it holds),
     * else a new one; null for other sources and for one with another poller's stash.
     */
    private RecvStash stashFor(FdSource source) {
        if (!(source instanceof PosixStreamSocket s)) {
            return null;
        }
        ReadAhead old = s.readAhead();
        if (old == null) {
            RecvStash st = new RecvStash(this, s);
            s.readAhead(st);
            return st;
        }
        return old instanceof RecvStash st && st.poller == this ? st : null;
    }

    /**
     * The send queue of a stream socket: the one it still has from an earlier registration (still
     * draining), now reporting to {@code r}, else a new one (no memory until the first write);
     * null for one with another poller's queue.
     */
    private SendQueue sendQueueFor(PosixStreamSocket s, IoUringRegistration r) {
        WriteBehind old = s.writeBehind();
        SendQueue q;
        if (old == null) {
            q = new SendQueue(this, s);
            s.writeBehind(q);
        } else if (old instanceof SendQueue sq && sq.poller == this) {
            q = sq;
        } else {
            return null;
        }
        q.owner = r;
        if (!q.inFlight) {
            q.driver = r;
        }
        return q;
    }

    /** Whether a handler of this poller is running (writes are then sent by the next wait). */
    boolean dispatchingNow() {
        return isDispatching();
    }

    /**
     * Submits the send of {@code q} at once (bytes written outside a poll): one
     * {@code io_uring_enter}; completions it brings are reported by the next poll.
     */
    void sendNow(SendQueue q) {
        if (isClosed()) {
            return;
        }
        engine.prepare();
        q.armNow();
        engine.submit();
    }

    /** A send queue outlived its registration: kept here until it drained (closing the poller cancels it). */
    void linger(SendQueue q) {
        if (!q.lingering) {
            q.lingering = true;
            if (lingeringCount == lingering.length) {
                lingering = Arrays.copyOf(lingering, lingeringCount * 2);
            }
            lingering[lingeringCount++] = q;
        }
    }

    /** A lingering send queue drained. */
    void unlinger(SendQueue q) {
        q.lingering = false;
        for (int i = 0; i < lingeringCount; i++) {
            if (lingering[i] == q) {
                lingering[i] = lingering[--lingeringCount];
                lingering[lingeringCount] = null;
                return;
            }
        }
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
        if (r.isArmed()) { // its poll (or receive) still holds the socket: see beforeClose
            if (endingCount == ending.length) {
                ending = Arrays.copyOf(ending, endingCount * 2);
            }
            ending[endingCount++] = r;
        }
        if (r.stash != null) {
            RecvStash st = r.stash;
            r.stash = null;
            st.ownerEnded(r); // kept by the socket while it holds bytes or a receive is in flight
        }
        if (r.sends != null) {
            r.sends.ownerEnded(r); // still sends what is queued, through r (see SendQueue)
        }
        markDirty(r); // the engine forgets it at the next sync
    }

    /**
     * Called by {@link FdSource#close()} before the fd is closed: ends the registration and, if
     * a poll is still armed for a registration that ended, submits its removal at once (see the
     * class comment). Completions that submission brings are reported by the next poll.
     *
     * <p>Only the removals go: the other registrations waiting for their sync (the polls spent
     * by this wait, among them those the dispatch has not reached yet, whose sockets are still
     * readable) are left to the next wait. Syncing them here re-armed each such poll, which
     * completed at once and had to be armed again at the next close: a wave of N closes within
     * one dispatch of N events cost about N²/2 polls (docs/pollers-io_uring.md, Decisions).
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
        if (endingCount > 0 && !isClosed()) {
            engine.prepare();
            syncEnding();
            engine.submit(); // the removals; their completions are collected as usual
        }
        if (source instanceof PosixStreamSocket s && s.readAhead() instanceof RecvStash st
                && st.poller == this) {
            st.socketClosing(); // freed now, or by its cancelled receive's completion
        }
        if (source instanceof PosixStreamSocket s && s.writeBehind() instanceof SendQueue q
                && q.poller == this) {
            boolean queued = q.queued();
            q.socketClosing(); // send(2)s what the kernel takes; the rest lingers through a duplicate
            if (queued && q.queued() && !isClosed()) {
                engine.prepare();
                q.armNow(); // the rest's send (through the duplicate), unless one is in flight
                engine.submit(); // with the cancellation an abortive close queued
            }
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
        // sync() only queues requests; the engine never calls back into this list
        for (int i = 0; i < dirtyCount; i++) {
            IoUringRegistration r = dirty[i];
            dirty[i] = null;
            r.dirty = false;
            r.sync();
        }
        dirtyCount = 0;
        Arrays.fill(ending, 0, endingCount, null);
        endingCount = 0;
    }

    /** Queues the removals of the registrations that ended with something armed (still dirty). */
    private void syncEnding() {
        for (int i = 0; i < endingCount; i++) {
            IoUringRegistration r = ending[i];
            ending[i] = null;
            r.sync(); // its second sync, from the dirty list, finds nothing armed
        }
        endingCount = 0;
    }

    // ---- waiting -------------------------------------------------------------------------------

    @Override
    protected void waitForReady(long timeoutNanos) {
        engine.prepare();
        long wait = lingeringCount == 0 ? timeoutNanos : endLingers(timeoutNanos);
        syncDirty();
        engine.run(collectedCount == 0 ? wait : 0);
        reportCollected();
    }

    /**
     * Resets the closed sockets whose send queue outlived its linger bound
     * ({@link SendQueue#lingerExpired}; the cancellations of their sends go with this wait) and
     * shortens the wait to the next bound, so one passes even when nothing else happens (the
     * base waits again for the rest of the caller's timeout). One pass over the lingering queues,
     * few at any time (closed sockets whose peer has not taken their last bytes yet).
     *
     * @return the wait, shortened to the next bound
     */
    private long endLingers(long timeoutNanos) {
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        // backwards: a queue that ends leaves the list, replaced by the last one (already seen)
        for (int i = lingeringCount - 1; i >= 0; i--) {
            SendQueue q = lingering[i];
            if (q.bounded()) {
                long left = q.lingerDeadline() - now;
                if (left <= 0) {
                    q.lingerExpired();
                } else {
                    next = Math.min(next, left);
                }
            }
        }
        if (next == Long.MAX_VALUE || timeoutNanos == 0) {
            return timeoutNanos;
        }
        return timeoutNanos < 0 ? next : Math.min(timeoutNanos, next);
    }

    /**
     * How many send queues outlive their registration, among them closed sockets' still
     * lingering (for tests).
     */
    int lingeringQueues() {
        return lingeringCount;
    }

    /** Whether the wait about to start must not block (a wakeup is pending). Loop thread. */
    boolean mustNotBlock() {
        return wakeupPending();
    }

    /**
     * {@link IoUringRegistration#sync} found a stash with something for the reader: reported by
     * this wait without blocking (the registration is not marked again here, as the dirty list is
     * being walked: that happens once the report is made, see {@link #reportCollected}).
     */
    void collectedBySync(IoUringRegistration r, int ops) {
        if (r.collectedOps == 0) {
            if (collectedCount == collected.length) {
                collected = Arrays.copyOf(collected, collectedCount * 2);
            }
            collected[collectedCount++] = r;
        }
        r.collectedOps |= ops;
    }

    /** {@link IoUringRegistration#completed} found readiness: kept until the run is over. */
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
                if (r.stash != null && r.stash.hasOutcome()) {
                    markDirty(r); // left unread, it is reported again by the next wait
                }
            }
        }
        collectedCount = 0;
    }

    @Override
    protected void signal() {
        engine.signal();
    }

    /** Removes the armed polls, then tears down the ring and its eventfd. */
    @Override
    protected void release() {
        try {
            engine.release();
        } finally {
            for (int i = 0; i < liveCount; i++) {
                IoUringRegistration r = live[i];
                forget(r);
                if (r.stash != null) {
                    r.stash.ringGone(); // a receive still in flight keeps its memory for good
                    r.stash = null;
                }
                if (r.sends != null) {
                    r.sends.ringGone(); // likewise a send's
                    r.sends = null;
                }
                live[i] = null;
            }
            liveCount = 0;
            while (lingeringCount > 0) {
                lingering[lingeringCount - 1].ringGone(); // unlingers itself
            }
            Arrays.fill(dirty, 0, dirtyCount, null);
            dirtyCount = 0;
            Arrays.fill(ending, 0, endingCount, null);
            endingCount = 0;
            Arrays.fill(collected, 0, collectedCount, null);
            collectedCount = 0;
        }
    }

    /**
     * Which engine drives the ring: {@code "ffm"} or {@code "netty"} (for tests and diagnostics).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the engine's name
     */
    public String engine() {
        return engine.name();
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
        return "IoUringPoller[" + engine.name() + ", " + liveCount + " registrations" + (isClosed() ? ", closed" : "") + "]";
    }
}
