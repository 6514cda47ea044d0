package dev.pollen.linux.uring;

import dev.pollen.posix.FdSource;
import dev.pollen.spi.AbstractRegistration;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.Poller;
import dev.pollen.spi.ReadDrainedHint;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;

/**
 * One source registered with an {@link IoUringPoller}, and the {@link IoUringIoHandle} Netty
 * hands its completions to.
 *
 * <p><b>READ by default: one-shot polls</b>, like WRITE below. <b>With
 * {@code -Dpollen.io_uring.multishot=true}: one multishot poll, plus a one-shot check where
 * level-triggering needs it.</b>
 * While READ is in the interest, one {@code IORING_OP_POLL_ADD} with
 * {@code IORING_POLL_ADD_MULTI} stays armed: the kernel posts a completion when it is armed on a
 * readable socket and on every later arrival, with no submission per event. That is
 * edge-triggered: bytes a handler left unread are not reported again. So after each READ report
 * the registration notes that bytes may be left ({@link #mayHaveMore}); unless the reader says
 * it drained the socket ({@link ReadDrainedHint#readDrained}, which {@code StreamTransport} calls
 * after a short read, an empty read or end-of-stream), the next sync arms a one-shot
 * {@code POLLIN} check, which completes at once if bytes are left. Readiness a handler left is
 * thus reported again, as epoll's level-triggered mode does, and a draining reader pays nothing
 * per event. It is off by default because it measured costlier: on a ring without deferred task
 * work, every arrival goes through the kernel's wake-up and task-work path, where a one-shot poll
 * armed on a socket that already has data completes inline (docs/pollers-io_uring.md).
 *
 * <p><b>With {@code -Dpollen.io_uring.recv=ahead}: READ on a stream socket by receives.</b>
 * While READ is in the interest and the socket's {@link RecvStash} is empty, one
 * {@code IORING_OP_RECV} into the stash's buffer is in flight (with
 * {@code IORING_RECVSEND_POLL_FIRST} unless the last one said more bytes were waiting); its
 * completion (bytes, end of stream or an error) is stashed and reported as READ, and the
 * reader's {@code read} copies it out without a system call. A stash that still holds something
 * is reported again by the next wait without any kernel work (level-triggered); once it is empty
 * the next sync arms the next receive. Interest without READ cancels a receive in flight
 * ({@code IORING_OP_ASYNC_CANCEL}); what it received before the cancel reached it is stashed,
 * not lost. No poll is armed for READ. WRITE stays a one-shot poll. The engine writes the
 * submissions ({@link UringEngine#recv}); everything else here is the same on both rings.
 *
 * <p><b>With {@code -Dpollen.io_uring.send=ring} (ffm engine): writes on a stream socket by
 * sends behind the writer.</b> The socket's writes copy into its {@link SendQueue}; while bytes
 * are queued and no send is in flight, the sync arms one {@code IORING_OP_SEND} for them
 * ({@link UringEngine#send}), and WRITE readiness comes from the sends' completions instead of a
 * poll. With nothing queued WRITE is polled as below.
 *
 * <p><b>WRITE: one-shot polls.</b> A multishot POLLOUT would post a completion for every
 * acknowledgement that frees send buffer space; WRITE is rarely on, and a one-shot poll re-armed
 * after each report is level-triggered by construction (an fd still writable completes the new
 * poll during the same {@code io_uring_enter}).
 *
 * <p><b>Changes are lazy.</b> An interest change only marks the registration; before the next
 * wait the poller brings the kernel in line ({@link #sync}): a poll armed for other bits is
 * removed ({@code IORING_OP_POLL_REMOVE}) and one for the new bits armed, all in the same
 * {@code io_uring_enter} as the wait. A handler that turns WRITE on and off again within one
 * dispatch costs nothing.
 *
 * <p>Each poll carries a tag (the 16-bit data field of its user data); a completion whose tag is
 * not that of an armed poll belongs to a removed one and is dropped.
 *
 * <p><b>Threading:</b> loop thread only; {@link #handle} and {@link #close()} are called by Netty
 * on the loop thread.
 */
final class IoUringRegistration extends AbstractRegistration<FdSource>
        implements IoUringIoHandle, ReadDrainedHint {

    /** {@code IORING_OP_POLL_ADD} and {@code IORING_OP_POLL_REMOVE} (include/uapi/linux/io_uring.h). */
    static final byte OP_POLL_ADD = 6;
    static final byte OP_POLL_REMOVE = 7;
    /** {@code IORING_OP_ASYNC_CANCEL} and {@code IORING_OP_RECV}. */
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_RECV = 27;
    /** {@code IORING_OP_SEND}. */
    static final byte OP_SEND = 26;
    /** {@code IORING_RECVSEND_POLL_FIRST}, in a receive's {@code ioprio}. */
    static final short RECVSEND_POLL_FIRST = 1;
    /** {@code IORING_CQE_F_SOCK_NONEMPTY}: after a receive, the socket still has bytes. */
    private static final int CQE_F_SOCK_NONEMPTY = 4;
    /** {@code IORING_POLL_ADD_MULTI}, in the submission's {@code len}. */
    private static final int POLL_ADD_MULTI = 1;
    /** {@code IORING_CQE_F_MORE}: the multishot request stays armed. */
    private static final int CQE_F_MORE = 2;
    // poll(2) bits, the same on every Linux architecture
    private static final int POLLIN = 0x1;
    private static final int POLLOUT = 0x4;
    private static final int POLLERR = 0x8;
    private static final int POLLHUP = 0x10;
    private static final int READ_BITS = POLLIN | POLLERR | POLLHUP;
    private static final int WRITE_BITS = POLLOUT | POLLERR | POLLHUP;

    private final IoUringPoller poller;
    /** Whether READ uses a multishot poll (the poller's setting). */
    private final boolean multishot;
    /** Index in the poller's table of live registrations. */
    int slot;
    /** Netty's registration (the netty engine's), made when the first poll is armed; null before. */
    IoRegistration netty;
    /** The ffm engine's slot for this registration, or -1. */
    int ringSlot = -1;
    /** The ffm engine's generation of {@link #ringSlot}. */
    int ringGen;
    /** User data of the armed multishot READ poll (0: none armed). */
    private long multi;
    /** Tag of the armed multishot poll. */
    private short multiTag;
    /** User data of the armed one-shot poll (0: none armed). */
    private long single;
    /** Pollen ops of the armed one-shot poll. */
    private int singleOps;
    /** Tag of the armed one-shot poll. */
    private short singleTag;
    /** The last tag given; every request gets the next. */
    private short tag;
    /** READ was reported and the reader has not said it drained the socket since. */
    boolean mayHaveMore;
    /** On the poller's list of registrations to {@link #sync} before the next wait. */
    boolean dirty;
    /** Readiness collected by {@link #handle} and not yet reported. */
    int collectedOps;
    /** How many polls were armed for this registration (for tests: the cost per event). */
    int pollsArmed;
    /** How many receives were submitted for this registration (for tests). */
    int recvsArmed;
    /**
     * READ by receives ahead of the reader ({@code -Dpollen.io_uring.recv=ahead}, stream sockets
     * only): the socket's stash; null when READ is served by polls.
     */
    RecvStash stash;
    /** The stash this registration's receive in flight fills (kept after {@link #stash} is let go). */
    private RecvStash sentTo;
    /**
     * Writes by sends behind the writer ({@code -Dpollen.io_uring.send=ring}, stream sockets,
     * ffm engine): the socket's send queue, kept after the registration ended while it drains;
     * null when writes are system calls.
     */
    SendQueue sends;
    /** The send queue whose send this registration submitted and that has not completed. */
    SendQueue sendingFor;

    IoUringRegistration(IoUringPoller poller, FdSource source, IoHandler handler, boolean multishot,
                        RecvStash stash) {
        super(poller, source, handler);
        this.poller = poller;
        this.multishot = multishot;
        this.stash = stash;
        if (stash != null) {
            stash.owner = this;
        }
    }

    /**
     * Brings the kernel in line with the interest (or with the end of the registration): removes
     * polls armed for other bits, arms the ones the interest needs, and once the registration
     * ended and no poll is armed, gives Netty's registration back.
     */
    void sync() {
        int want = isCancelled() ? 0 : interest();
        if (sends != null) {
            want = sends.sync(this, want); // arms the next send; WRITE then comes from its completion
        }
        if (stash != null) {
            want = syncReceive(want);
        } else {
            cancelReceive(); // ended, or spliced: a receive of ours still in flight goes
        }
        if ((want & Poller.READ) == 0) {
            mayHaveMore = false; // a multishot poll armed later reports bytes already waiting
        }
        boolean wantMulti = multishot && (want & Poller.READ) != 0;
        int wantSingle = multishot
                ? (want & Poller.WRITE) | (mayHaveMore ? want & Poller.READ : 0)
                : want;
        if (multi != 0 && !wantMulti) {
            remove(multi);
            multi = 0;
        }
        if (single != 0 && singleOps != wantSingle) {
            remove(single);
            single = 0;
            singleOps = 0;
        }
        if (multi == 0 && wantMulti) {
            multiTag = ++tag;
            multi = arm(POLLIN, POLL_ADD_MULTI, multiTag);
        }
        if (single == 0 && wantSingle != 0) {
            int mask = ((wantSingle & Poller.READ) != 0 ? POLLIN : 0)
                    | ((wantSingle & Poller.WRITE) != 0 ? POLLOUT : 0);
            singleTag = ++tag;
            single = arm(mask, 0, singleTag);
            singleOps = wantSingle;
        }
        if (isCancelled()) {
            poller.engine.ended(this);
        }
    }

    /** Whether the engine still knows this registration (it has submitted something). */
    private boolean attached() {
        return netty != null || ringSlot >= 0;
    }

    /** Whether a receive this registration submitted has not completed yet. */
    boolean receiveInFlight() {
        RecvStash st = sentTo;
        return st != null && st.inFlight && st.submitter == this;
    }

    /** Whether a receive or a send this registration submitted has not completed yet. */
    boolean requestInFlight() {
        return receiveInFlight() || sendingFor != null;
    }

    /** The next tag of this registration's requests. */
    short nextTag() {
        return ++tag;
    }

    /** Submits the cancellation of this registration's receive in flight, once. */
    private void cancelReceive() {
        RecvStash st = sentTo;
        if (st != null && st.inFlight && st.submitter == this && !st.cancelSent && attached()) {
            poller.engine.cancel(this, st.udata);
            st.cancelSent = true;
        }
    }

    /**
     * READ by receives: reports what is stashed (level-triggered, no kernel wait), arms a receive
     * when the stash is empty, cancels one in flight that READ no longer wants. A spliced
     * socket's stash ({@link RecvStash#stopped}) only gives out what it has: then READ is polled.
     *
     * @return the interest left for polls
     */
    private int syncReceive(int want) {
        RecvStash st = stash;
        boolean wantRead = (want & Poller.READ) != 0;
        if (wantRead && st.hasOutcome()) {
            poller.collectedBySync(this, Poller.READ);
            return want & ~Poller.READ;
        }
        if (st.inFlight) {
            if (!wantRead || !st.receiving()) {
                cancelReceive(); // what it already received is stashed by its completion
            }
            return want & ~Poller.READ; // its completion reports (or re-syncs)
        }
        if (wantRead && st.receiving() && !st.direct) {
            armReceive(st);
            return want & ~Poller.READ;
        }
        return want; // READ polled: spliced, or a bulk stream read directly
    }

    private void armReceive(RecvStash st) {
        long address = st.prepare();
        short t = ++tag;
        // Poll first unless the last receive said more was waiting: saves a failed attempt.
        long udata = poller.engine.recv(this, address, st.capacity(), !st.moreWaiting, t);
        st.inFlight = true;
        st.cancelSent = false;
        st.submitter = this;
        st.udata = udata;
        st.tag = t;
        sentTo = st;
        recvsArmed++;
    }

    private long arm(int pollMask, int pollFlags, short t) {
        long udata = poller.engine.pollAdd(this, pollMask, pollFlags, t);
        pollsArmed++;
        return udata;
    }

    private void remove(long udata) {
        poller.engine.pollRemove(this, udata);
    }

    /** Whether a poll is armed (or queued to be) in the kernel. */
    boolean isArmed() {
        return multi != 0 || single != 0 || (receiveInFlight() && !sentTo.cancelSent)
                || sendingFor != null;
    }

    /**
     * The reader drained the socket: no one-shot check is needed before the next arrival, which
     * the multishot poll reports.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public void readDrained() {
        mayHaveMore = false;
    }

    // ---- IoUringIoHandle: called by Netty ------------------------------------------------------

    /**
     * A completion of one of this registration's requests on the netty engine: polls go to
     * {@link #completed}; the completions of the removals themselves are dropped.
     *
     * <p><b>Threading:</b> loop thread (called by Netty from inside {@code run}).
     *
     * @param registration Netty's registration
     * @param event        the completion
     */
    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        IoUringIoEvent e = (IoUringIoEvent) event;
        if (e.opcode() == OP_POLL_ADD) {
            completed(e.data(), e.res(), e.flags());
        } else if (e.opcode() == OP_RECV) {
            received(e.data(), e.res(), e.flags());
        }
    }

    /**
     * The completion of a {@code POLL_ADD} this registration armed (with either engine): an
     * armed poll's result becomes readiness (collected, reported once the engine's run has
     * returned); the completions of removed polls are dropped (their tag is no longer armed). A
     * multishot poll that the kernel ended (no {@code IORING_CQE_F_MORE}) is armed again at the
     * next sync.
     *
     * @param t     the request's tag
     * @param res   the completion's result: poll(2) bits, or a negative errno
     * @param flags the completion's flags
     */
    void completed(short t, int res, int flags) {
        if (isCancelled()) {
            return;
        }
        int ops;
        if (multi != 0 && t == multiTag) {
            if ((flags & CQE_F_MORE) == 0) {
                multi = 0; // ended by the kernel: armed again by the next sync
            }
            ops = res < 0 ? Poller.READ : (res & READ_BITS) != 0 ? Poller.READ : 0;
            if (ops == 0) {
                poller.markDirty(this);
                return;
            }
        } else if (single != 0 && t == singleTag) {
            single = 0; // a one-shot poll is spent
            singleOps = 0;
            if (res < 0) {
                // The kernel could not poll the fd: let the handler meet the error on its next call.
                ops = Poller.READ | Poller.WRITE;
            } else {
                // hang-up and errors are readiness of whatever is registered (dispatch masks them)
                ops = ((res & READ_BITS) != 0 ? Poller.READ : 0) | ((res & WRITE_BITS) != 0 ? Poller.WRITE : 0);
            }
        } else {
            return;
        }
        poller.collected(this, ops);
    }

    /**
     * The completion of a receive this registration submitted (with either engine): to the stash
     * it was made for, even after this registration ended (the stash may have passed to a later
     * registration, or waits for it to free its memory).
     *
     * @param t     the request's tag
     * @param res   the completion's result: bytes, 0 at end of stream, or a negative errno
     * @param flags the completion's flags
     */
    void received(short t, int res, int flags) {
        RecvStash st = sentTo;
        if (st != null && st.inFlight && st.submitter == this && st.tag == t) {
            sentTo = null;
            st.completed(res, (flags & CQE_F_SOCK_NONEMPTY) != 0);
        }
    }

    /**
     * The completion of a send this registration submitted (ffm engine): to the queue it was made
     * for, even after this registration ended (the queue drains, or waits for it to free its
     * memory).
     *
     * @param t   the request's tag
     * @param res the completion's result: bytes sent, or a negative errno
     */
    void sent(short t, int res) {
        SendQueue q = sendingFor;
        if (q != null && q.inFlight && q.submitter == this && q.tag == t) {
            sendingFor = null;
            q.completed(res);
        }
    }

    /**
     * Called as the poller closes (by Netty's {@code prepareToDestroy}, or by the ffm engine's
     * release): removes the armed polls (and cancels a receive in flight) so the ring can drain.
     * The source stays open (its owner closes it).
     *
     * <p><b>Threading:</b> the thread that closes the poller.
     */
    @Override
    public void close() {
        if (netty != null || ringSlot >= 0) {
            if (multi != 0) {
                remove(multi);
                multi = 0;
            }
            if (single != 0) {
                remove(single);
                single = 0;
            }
            cancelReceive();
            if (sendingFor != null) {
                sendingFor.cancel();
            }
        }
    }
}
