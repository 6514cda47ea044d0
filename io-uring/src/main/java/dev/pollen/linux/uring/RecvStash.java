package dev.pollen.linux.uring;

import dev.pollen.posix.PosixStreamSocket;
import dev.pollen.posix.ReadAhead;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receive-ahead buffer of one stream socket ({@code -Dpollen.io_uring.recv=ahead}): the
 * native memory an {@code IORING_OP_RECV} fills, and what its completion brought (bytes, end of
 * stream, or an error) until the socket's reader takes it. {@link ReadAhead} is the contract the
 * socket sees; {@link IoUringRegistration} decides when to receive and cancel, and the engine
 * ({@link UringEngine#recv}, {@link UringEngine#cancel}) writes the submissions, so the stash is
 * the same on both rings.
 *
 * <p><b>Size.</b> Starts at {@value #INITIAL} bytes, doubles (up to {@value #MAX}) after a
 * receive filled it, halves (down to {@value #MIN}) after {@value #SHRINK_AFTER} receives in a
 * row used at most a quarter of it; resized only between receives, while empty. A small
 * message costs one 4 KiB buffer per connection (4 MB at 1000 connections); a bulk stream grows
 * to the 64 KiB a readiness poller's single read buffer takes per call.
 *
 * <p><b>Bulk goes direct.</b> A receive that filled a buffer of at least
 * {@code -Dpollen.io_uring.directFrom} bytes (16 KiB by default) hands the stream to direct reads:
 * READ is polled and the reader's {@code recv(2)} fills its own buffer, with no copy through this
 * one; the first direct read that returns less goes back to receiving ahead
 * ({@link ReadAhead#readDirectly(int)}).
 *
 * <p><b>Lifetime.</b> Attached to the socket when first registered with READ-ahead on; a later
 * registration of the same socket takes it over (a receive of the old one may still be in
 * flight). It is let go ({@link #dispose}: memory freed, socket detached) once nothing is
 * stashed and no receive is in flight, and the registration ended, the socket was spliced
 * ({@link #stop()}) or closed. The memory is never freed while a receive into it is in flight:
 * a closed socket's buffer is freed by the completion of the cancelled receive, and a buffer
 * whose receive had not completed when the ring was torn down is leaked ({@link #LEAKED}); the
 * ffm engine cancels the receives and waits for their completions as it closes, so that only
 * happens after its drain timed out.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class RecvStash implements ReadAhead {

    static final int MIN = 2 * 1024;
    static final int INITIAL = 4 * 1024;
    static final int MAX = 64 * 1024;
    static final int SHRINK_AFTER = 8;

    /** Linux errno values a receive may complete with. */
    static final int ECANCELED = 125;
    static final int EAGAIN = 11;
    static final int EINTR = 4;

    /** Buffers given up because their receive never completed (process-wide, for tests). */
    static final AtomicLong LEAKED = new AtomicLong();

    final IoUringPoller poller;
    final PosixStreamSocket socket;
    /** The registration reported to; null after it ended. */
    IoUringRegistration owner;
    private final RequestMemory memory = new RequestMemory();
    private int capacity;
    private int start;
    private int end;
    private boolean eof;
    private int failure;
    /** A receive is in the kernel. */
    boolean inFlight;
    /** Its cancellation was submitted. */
    boolean cancelSent;
    /** The registration that submitted it (the only one that may cancel it). */
    IoUringRegistration submitter;
    /** Its user data and tag. */
    long udata;
    short tag;
    /** Spliced: no more receives. */
    boolean stopped;
    /** The socket closed: free on the last completion. */
    private boolean closed;
    /**
     * Bulk: a receive filled a buffer of at least {@link IoUringPoller#directFrom} bytes, so READ
     * is polled and the reader reads the descriptor itself, with no copy through this buffer,
     * until a direct read returns less than that.
     */
    boolean direct;
    /** The last completion said more is waiting (or filled the buffer): no poll-first. */
    boolean moreWaiting;
    private int smallInARow;

    RecvStash(IoUringPoller poller, PosixStreamSocket socket) {
        this.poller = poller;
        this.socket = socket;
    }

    // ---- ReadAhead (the socket's side) ----------------------------------------------------------

    @Override
    public int stashed() {
        if (end > start) {
            return end - start;
        }
        if (failure != 0) {
            return FAILED;
        }
        if (eof) {
            return END;
        }
        return inFlight ? PENDING : DIRECT;
    }

    @Override
    public ByteBuffer bytes() {
        return memory.view().limit(end).position(start);
    }

    @Override
    public void consume(int n) {
        if (n <= 0 || n > end - start) {
            throw new IllegalArgumentException("consume(" + n + ") with " + (end - start) + " bytes stashed");
        }
        start += n;
        if (start == end) {
            start = 0;
            end = 0;
            emptied();
        }
    }

    @Override
    public int takeFailure() {
        int e = failure;
        failure = 0;
        emptied();
        return e;
    }

    @Override
    public void readDirectly(int result) {
        if (result <= 0) {
            return; // nothing waiting (a reader's last read) or the end: says nothing of the size
        }
        boolean bulk = result >= poller.directFrom;
        if (direct && !bulk && owner != null) {
            poller.markDirty(owner); // small again: the next wait receives ahead
        }
        direct = bulk;
    }

    @Override
    public void stop() {
        if (!stopped) {
            stopped = true;
            if (owner != null) {
                poller.markDirty(owner); // cancels a receive in flight, arms polls instead
            }
            disposeIfDone();
        }
    }

    // ---- the poller's side ----------------------------------------------------------------------

    /** Something for the reader: bytes, end of stream or an error. */
    boolean hasOutcome() {
        return end > start || eof || failure != 0;
    }

    /** Whether receives are wanted (not spliced, not closed). */
    boolean receiving() {
        return !stopped && !closed;
    }

    /** Memory for the next receive, resized by what the last ones used; returns its address. */
    long prepare() {
        if (!memory.held()) {
            capacity = capacity == 0 ? INITIAL : capacity;
        }
        return memory.address(capacity);
    }

    int capacity() {
        return capacity == 0 ? INITIAL : capacity;
    }

    /**
     * A receive completed: stash what it brought and report it to the owner.
     *
     * @param res   the completion's result: bytes, 0 at end of stream, or -errno
     * @param more  {@code IORING_CQE_F_SOCK_NONEMPTY}: the socket still has bytes
     */
    void completed(int res, boolean more) {
        inFlight = false;
        cancelSent = false;
        submitter = null;
        if (closed) {
            disposeIfDone(); // frees the memory, detaches from the closed socket
            return;
        }
        if (res > 0) {
            start = 0;
            end = res;
            moreWaiting = more || res == capacity;
            direct = res == capacity && res >= poller.directFrom;
            adapt(res);
        } else if (res == 0) {
            eof = true;
        } else if (res == -ECANCELED || res == -EAGAIN || res == -EINTR) {
            moreWaiting = false; // nothing received: the next receive (if READ is wanted) polls first
        } else {
            failure = -res;
        }
        IoUringRegistration o = owner;
        if (o != null && !o.isCancelled()) {
            if (hasOutcome()) {
                poller.collected(o, dev.pollen.spi.Poller.READ);
            } else {
                poller.markDirty(o); // arm again, if READ is still wanted
            }
        }
        disposeIfDone();
    }

    private void adapt(int used) {
        if (used == capacity && capacity < MAX) {
            resize(capacity * 2);
            smallInARow = 0;
        } else if (used <= capacity / 4 && capacity > MIN) {
            if (++smallInARow >= SHRINK_AFTER) {
                resize(capacity / 2);
                smallInARow = 0;
            }
        } else {
            smallInARow = 0;
        }
    }

    /** Sets the size of the next buffer: applied once this one is empty. */
    private void resize(int newCapacity) {
        nextCapacity = newCapacity;
    }

    private int nextCapacity;

    /** The stash ran empty: receive again, or let go. */
    private void emptied() {
        if (nextCapacity != 0 && !inFlight) {
            free();
            capacity = nextCapacity;
            nextCapacity = 0;
        }
        if (owner != null && !owner.isCancelled()) {
            poller.markDirty(owner);
        }
        disposeIfDone();
    }

    /** The registration ended; the stash stays with the socket while it holds something. */
    void ownerEnded(IoUringRegistration r) {
        if (owner == r) {
            owner = null;
        }
        disposeIfDone();
    }

    /** The socket is closing: nothing stashed matters any more. */
    void socketClosing() {
        closed = true;
        owner = null;
        start = 0;
        end = 0;
        eof = false;
        failure = 0;
        disposeIfDone();
    }

    /**
     * The ring was torn down (the poller closed): no more receives. One still in flight can
     * complete into this memory at any time, so it is never freed (counted in {@link #LEAKED});
     * bytes already stashed stay for the socket's reader, which then reads the descriptor itself.
     */
    void ringGone() {
        if (inFlight) {
            memory.abandon(LEAKED); // never freed: see above
            inFlight = false;
            start = 0;
            end = 0;
        }
        owner = null;
        stopped = true;
        disposeIfDone();
    }

    private void disposeIfDone() {
        if (inFlight || (owner != null && receiving()) || (!closed && hasOutcome())) {
            return;
        }
        free();
        if (socket.readAhead() == this) {
            socket.readAhead(null);
        }
        IoUringRegistration o = owner;
        if (o != null && o.stash == this) {
            o.stash = null;
            poller.markDirty(o); // polls from now on
        }
        owner = null;
    }

    private void free() {
        memory.free();
    }

    @Override
    public String toString() {
        return "RecvStash[" + (end - start) + "/" + capacity + " bytes" + (eof ? ", eof" : "")
                + (failure != 0 ? ", errno " + failure : "") + (inFlight ? ", receiving" : "")
                + (stopped ? ", stopped" : "") + (closed ? ", closed" : "") + "]";
    }
}
