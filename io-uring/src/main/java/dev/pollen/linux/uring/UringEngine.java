package dev.pollen.linux.uring;

/**
 * The ring under an {@link IoUringPoller}: what submits poll requests (and, for read-ahead,
 * receives and their cancellations), waits for completions and
 * wakes the wait. Two implement it, chosen by {@code -Dpollen.io_uring.engine}
 * ({@link IoUringPollerProvider}): {@link NettyEngine} (Netty 4.2's {@code IoUringIoHandler}, any
 * JDK) and {@code FfmEngine} (Pollen's own ring over {@code java.lang.foreign}, JDK 22+, in
 * {@code src/main/java22}). Everything above the ring (which polls a registration needs, tags,
 * the lists of dirty and collected registrations, reporting) is the poller's and
 * {@link IoUringRegistration}'s, shared by both.
 *
 * <p>Completions go back to {@link IoUringRegistration#completed} of the registration that armed
 * the poll (receives: {@link IoUringRegistration#received}), from inside {@link #run} (or
 * {@link #submit}) on the loop thread.
 *
 * <p><b>Threading:</b> loop thread only, except {@link #signal()} (any thread) and
 * {@link #release()} (the closing thread).
 */
abstract class UringEngine {

    /** Longer timeouts are "forever". */
    static final long MAX_FINITE_TIMEOUT = java.util.concurrent.TimeUnit.DAYS.toNanos(365L * 60);

    /** The poller this ring serves. */
    final IoUringPoller poller;

    UringEngine(IoUringPoller poller) {
        this.poller = poller;
    }

    /** {@code "ffm"} or {@code "netty"}. */
    abstract String name();

    /** The calling thread registers a source (and becomes the loop thread). */
    abstract void claim();

    /**
     * The calling thread is about to queue requests and {@link #run} or {@link #submit} them.
     *
     * @throws IllegalStateException if this ring cannot be driven from the calling thread
     */
    abstract void prepare();

    /**
     * Queues a {@code POLL_ADD} for the registration's fd (submitted by the next {@link #run} or
     * {@link #submit}).
     *
     * @param r         the registration
     * @param pollMask  poll(2) bits
     * @param pollFlags {@code IORING_POLL_ADD_*}
     * @param tag       the registration's tag of this request
     * @return the request's user data (never 0), for {@link #pollRemove}
     */
    abstract long pollAdd(IoUringRegistration r, int pollMask, int pollFlags, short tag);

    /**
     * Queues a {@code POLL_REMOVE} of a poll this registration armed.
     *
     * @param r     the registration
     * @param udata what {@link #pollAdd} returned
     */
    abstract void pollRemove(IoUringRegistration r, long udata);

    /**
     * Queues an {@code IORING_OP_RECV} from the registration's fd into {@code address}
     * (read-ahead, {@link RecvStash}). Its completion goes to
     * {@link IoUringRegistration#received} of this registration, also after the registration
     * ended: the memory is the stash's until the receive completed.
     *
     * @param r         the registration
     * @param address   native memory the kernel writes, valid until the completion
     * @param len       at most this many bytes
     * @param pollFirst {@code IORING_RECVSEND_POLL_FIRST}: wait for data instead of trying first
     * @param tag       the registration's tag of this request
     * @return the request's user data (never 0), for {@link #cancel}
     */
    abstract long recv(IoUringRegistration r, long address, int len, boolean pollFirst, short tag);

    /**
     * Queues an {@code IORING_OP_ASYNC_CANCEL} of a receive (or send) this registration
     * submitted; the cancel's own completion is dropped, the request's arrives as usual (with
     * what it moved, or {@code -ECANCELED}).
     *
     * @param r     the registration
     * @param udata what {@link #recv} (or {@link #send}) returned
     */
    abstract void cancel(IoUringRegistration r, long udata);

    /**
     * Whether this ring can send for the sockets ({@link #send}); only the ffm engine does.
     *
     * @return true if {@link #send} is implemented
     */
    boolean sends() {
        return false;
    }

    /**
     * Queues an {@code IORING_OP_SEND} of {@code len} bytes at {@code address} to {@code fd}
     * (send-behind, {@link SendQueue}). Its completion goes to {@link IoUringRegistration#sent}
     * of this registration, also after the registration ended: the memory is the queue's until
     * the send completed. Only where {@link #sends()} says so.
     *
     * @param r       the registration
     * @param fd      the socket's descriptor (or the queue's duplicate of it)
     * @param address native memory the kernel reads, valid until the completion
     * @param len     this many bytes
     * @param tag     the registration's tag of this request
     * @return the request's user data (never 0), for {@link #cancel}
     */
    long send(IoUringRegistration r, int fd, long address, int len, short tag) {
        throw new UnsupportedOperationException("io_uring: the " + name() + " engine does not send");
    }

    /**
     * The registration ended and its removals are queued: the ring forgets it; completions of
     * its polls that still arrive are dropped. A receive of its still in flight is delivered
     * when it completes ({@link #recv}).
     *
     * @param r the registration
     */
    abstract void ended(IoUringRegistration r);

    /**
     * Submits what is queued and waits for completions: not at all ({@code 0}), up to
     * {@code timeoutNanos}, or without limit (negative, or {@link #MAX_FINITE_TIMEOUT} and
     * more). A wakeup ({@link #signal()}) ends the wait; a pending one keeps it from blocking
     * ({@link IoUringPoller#mustNotBlock()}). May return early; the poller's base waits again.
     *
     * @param timeoutNanos how long it may wait
     */
    abstract void run(long timeoutNanos);

    /** Submits what is queued, without waiting (a socket is about to be closed). */
    abstract void submit();

    /** Ends a blocked {@link #run} (writes the wakeup eventfd). Any thread. */
    abstract void signal();

    /** Tears the ring down (the poller closes). The closing thread. */
    abstract void release();
}
