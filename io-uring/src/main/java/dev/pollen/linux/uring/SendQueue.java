package dev.pollen.linux.uring;

import dev.pollen.posix.LibC;
import dev.pollen.posix.PosixStreamSocket;
import dev.pollen.posix.WriteBehind;
import dev.pollen.spi.Poller;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The send-behind buffer of one stream socket ({@code -Dpollen.io_uring.send=ring}, ffm engine):
 * the socket's writes copy into this native ring buffer and return at once; one
 * {@code IORING_OP_SEND} at a time carries the oldest queued bytes to the kernel, submitted by
 * the loop's next {@code io_uring_enter} (the one that also waits), so a loop iteration that
 * writes to N sockets makes no system call for them. {@link WriteBehind} is the contract the
 * socket sees; {@link IoUringRegistration#sync} arms the sends, the engine writes them
 * ({@link UringEngine#send}).
 *
 * <ul>
 *   <li><b>When.</b> Bytes written while the poller dispatches (from an I/O handler, the usual
 *       case) are sent by the wait that follows, together; bytes written outside a poll (a task
 *       or a timer between polls, a caller that never polls) are submitted at once, with one
 *       {@code io_uring_enter}, so a write is on its way without waiting for a poll.</li>
 *   <li><b>One send in flight</b>, covering the contiguous queued bytes from the oldest; a short
 *       send ({@code res < len}) is followed by one for the rest, so the bytes reach the socket in
 *       the order they were accepted.</li>
 *   <li><b>Large writes go direct:</b> a write of at least {@code -Dpollen.io_uring.directFrom}
 *       bytes (16 KiB by default) while nothing is queued or in flight is sent by the socket
 *       with {@code send(2)} ({@link WriteBehind#directFrom()}).</li>
 *   <li><b>Size.</b> {@value #INITIAL} bytes, allocated at the first write; doubled (up to
 *       {@value #MAX}) after a write found it full, halved (down to {@value #MIN}) after
 *       {@value #SHRINK_AFTER} drains in a row that used at most a quarter; resized only while
 *       empty with no send in flight. Freed when the socket closes or its registration ends
 *       (once empty): 4 KiB per writing connection in a small-message server, 64 KiB for one a
 *       peer does not read from, never more: a full buffer accepts 0 and the writer's own queue
 *       and high-water mark take over.</li>
 *   <li><b>WRITE readiness</b> while bytes are queued comes from the sends' completions (each one
 *       frees room), not from a poll: the descriptor may be writable while this buffer is full.
 *       With nothing queued, WRITE is polled as usual (connects, and writers waiting for the
 *       kernel).</li>
 *   <li><b>Errors.</b> A failed send drops what is queued and keeps the errno for the next write
 *       (or a read that finds nothing); READ and WRITE readiness are reported so the owner gets
 *       there.</li>
 *   <li><b>Half-close</b> waits until the queue is empty ({@link #shutdownAfter()}).</li>
 *   <li><b>Close</b> with bytes queued: the socket's descriptor is duplicated (the close of the
 *       original then closes nothing the kernel sees), the queue keeps sending through the
 *       duplicate, and closes it after the last byte (or the first error): the peer gets every
 *       byte, then the FIN. An abortive close ({@code SO_LINGER} 0) drops them and cancels the
 *       send in flight instead. The memory is freed only by the last send's completion; a send
 *       still in flight when the ring is torn down keeps its buffer for good ({@link #LEAKED}).</li>
 * </ul>
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class SendQueue implements WriteBehind {

    static final int MIN = 2 * 1024;
    static final int INITIAL = 4 * 1024;
    static final int MAX = 64 * 1024;
    static final int SHRINK_AFTER = 8;

    /** Linux errno values a send may complete with that are no failure of the connection. */
    private static final int ECANCELED = 125;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    /** {@code SHUT_WR} on Linux. */
    private static final int SHUT_WR = 1;

    /** Buffers given up because their send never completed (process-wide, for tests). */
    static final AtomicLong LEAKED = new AtomicLong();

    final IoUringPoller poller;
    final PosixStreamSocket socket;
    /** The live registration WRITE readiness goes to; null after it ended. */
    IoUringRegistration owner;
    /** The registration that arms the sends (the owner, or the ended one that still drains). */
    IoUringRegistration driver;
    private final RequestMemory memory = new RequestMemory();
    private int capacity = INITIAL;
    /** Bytes accepted and bytes sent, since the buffer was made (their difference is queued). */
    private long tail;
    private long head;
    /** A send is in the kernel; its user data and tag; its cancellation was submitted. */
    boolean inFlight;
    long udata;
    short tag;
    boolean cancelSent;
    /** The registration whose request it is. */
    IoUringRegistration submitter;
    private int failure;
    private boolean shutdownPending;
    /** The duplicate descriptor kept while the queue drains after the socket was closed, or -1. */
    private int lingerFd = -1;
    /** The socket was closed: no more writes; let go once drained. */
    private boolean closed;
    /** Queued bytes are dropped (abortive close, or the ring is gone). */
    private boolean discard;
    /** On the poller's list of queues that outlived their registration. */
    boolean lingering;
    private int nextCapacity;
    private int peak;
    private int smallInARow;
    /** Sends submitted (for tests). */
    int sendsArmed;

    SendQueue(IoUringPoller poller, PosixStreamSocket socket) {
        this.poller = poller;
        this.socket = socket;
    }

    // ---- WriteBehind (the socket's side) --------------------------------------------------------

    @Override
    public int accept(ByteBuffer src) {
        int pos = src.position();
        int rem = src.limit() - pos;
        if (rem == 0 || closed || discard) {
            return 0;
        }
        memory.address(capacity);
        ByteBuffer view = memory.view();
        int queued = (int) (tail - head);
        int n = Math.min(rem, capacity - queued);
        if (n < rem) {
            nextCapacity = Math.min(MAX, Math.max(nextCapacity, capacity * 2)); // found full
        }
        if (n == 0) {
            return 0;
        }
        int at = (int) (tail & (capacity - 1));
        int first = Math.min(n, capacity - at);
        view.put(at, src, pos, first);
        if (n > first) {
            view.put(0, src, pos + first, n - first);
        }
        src.position(pos + n);
        tail += n;
        peak = Math.max(peak, queued + n);
        if (!inFlight && driver != null) {
            if (poller.dispatchingNow()) {
                poller.markDirty(driver); // the next wait's io_uring_enter submits the send
            } else {
                poller.sendNow(this); // no wait may follow soon: submitted at once
            }
        }
        return n;
    }

    @Override
    public int directFrom() {
        return poller.directFrom;
    }

    @Override
    public int takeFailure() {
        int e = failure;
        failure = 0;
        return e;
    }

    @Override
    public boolean queued() {
        return tail != head || inFlight;
    }

    @Override
    public void shutdownAfter() {
        shutdownPending = true;
    }

    // ---- the poller's side ----------------------------------------------------------------------

    /** Bytes accepted and not yet sent (for tests). */
    int queuedBytes() {
        return (int) (tail - head);
    }

    /** The buffer's current size, 0 while none is allocated (for tests). */
    int bufferBytes() {
        return memory.held() ? capacity : 0;
    }

    /**
     * The registration's sync: arms the next send if bytes are queued and none is in flight,
     * reports a stashed failure as WRITE readiness, and takes WRITE out of what is polled while
     * the queue reports it.
     *
     * @param r    the registration being synced
     * @param want its interest (0 once it ended)
     * @return the interest left for polls
     */
    int sync(IoUringRegistration r, int want) {
        if (failure != 0) {
            if ((want & Poller.WRITE) != 0 && r == owner) {
                poller.collectedBySync(r, Poller.WRITE);
            }
            return want & ~Poller.WRITE;
        }
        if (tail == head && !inFlight) {
            return want;
        }
        if (!inFlight && !discard && r == driver) {
            arm(r);
        }
        return want & ~Poller.WRITE;
    }

    /** Arms the send for the queued bytes now, if none is in flight (the caller submits it). */
    void armNow() {
        if (!inFlight && !discard && driver != null && tail != head) {
            arm(driver);
        }
    }

    private void arm(IoUringRegistration r) {
        int at = (int) (head & (capacity - 1));
        int len = (int) Math.min(tail - head, capacity - at);
        short t = r.nextTag();
        int fd = lingerFd >= 0 ? lingerFd : socket.fd();
        udata = poller.engine.send(r, fd, memory.address(capacity) + at, len, t);
        tag = t;
        inFlight = true;
        cancelSent = false;
        submitter = r;
        r.sendingFor = this;
        sendsArmed++;
    }

    /**
     * A send completed: drop what it sent, arm the rest, report WRITE (or the failure).
     *
     * @param res the completion's result: bytes sent, or a negative errno
     */
    void completed(int res) {
        inFlight = false;
        cancelSent = false;
        submitter = null;
        if (res > 0) {
            head += res;
        } else if (res < 0 && res != -ECANCELED && res != -EAGAIN && res != -EINTR) {
            failure = -res;
            head = tail; // the connection failed: what is queued can go nowhere
        }
        if (discard || (res == -ECANCELED && closed)) {
            head = tail;
        }
        if (owner != null) {
            driver = owner; // a later registration took the socket over
        }
        if (tail == head) {
            drained();
        } else if (res != -ECANCELED && driver != null) {
            poller.markDirty(driver); // the rest, in order
        }
        IoUringRegistration o = owner;
        if (o != null && !o.isCancelled()) {
            int ops = failure != 0 ? Poller.READ | Poller.WRITE : Poller.WRITE;
            if ((o.interest() & ops) != 0) {
                poller.collected(o, ops);
            }
        }
    }

    /** Nothing queued any more: half-close or close if asked, resize, let go if done. */
    private void drained() {
        tail = 0;
        head = 0;
        int fd = lingerFd >= 0 ? lingerFd : socket.isOpen() ? socket.fd() : -1;
        if (shutdownPending && fd >= 0 && failure == 0 && !discard) {
            LibC.shutdown(fd, SHUT_WR); // an error here is the connection's; reads report it
        }
        shutdownPending = false;
        if (lingerFd >= 0) {
            LibC.close(lingerFd); // the last descriptor of the socket: the peer gets the FIN now
            lingerFd = -1;
        }
        if (peak <= capacity / 4 && capacity > MIN) {
            if (++smallInARow >= SHRINK_AFTER) {
                nextCapacity = nextCapacity != 0 ? nextCapacity : capacity / 2;
                smallInARow = 0;
            }
        } else {
            smallInARow = 0;
        }
        peak = 0;
        if (nextCapacity != 0 && nextCapacity != capacity) {
            free();
            capacity = nextCapacity;
        }
        nextCapacity = 0;
        disposeIfDone();
    }

    /** The registration ended (deregistered, or the socket is closing); the queue still drains. */
    void ownerEnded(IoUringRegistration r) {
        if (owner == r) {
            owner = null;
        }
        if (queued()) {
            poller.linger(this);
        }
        disposeIfDone();
    }

    /**
     * The socket is about to close its descriptor: queued bytes keep going through a duplicate
     * (an abortive close drops them). The caller submits what is queued before the close.
     */
    void socketClosing() {
        closed = true;
        owner = null;
        if (!queued()) {
            disposeIfDone();
            return;
        }
        if (!abortive()) {
            lingerFd = LibC.dupCloexec(socket.fd());
        }
        if (lingerFd < 0) {
            dropAll();
        }
        poller.linger(this);
        if (driver != null) {
            poller.markDirty(driver);
        }
    }

    /** Whether the socket is to be closed with a reset ({@code SO_LINGER} 0, as abort() sets). */
    private boolean abortive() {
        return socket.closesWithReset();
    }

    /** Drops what is queued and cancels the send in flight. */
    private void dropAll() {
        discard = true;
        head = tail;
        shutdownPending = false;
        if (inFlight) {
            cancel();
        }
    }

    /** Submits the cancellation of the send in flight, once (the poller closes, or a reset). */
    void cancel() {
        if (inFlight && !cancelSent && submitter != null) {
            poller.engine.cancel(submitter, udata);
            cancelSent = true;
        }
    }

    /**
     * The ring was torn down (the poller closed): no more sends. One still in flight may read
     * this memory at any time, so it is never freed (counted in {@link #LEAKED}).
     */
    void ringGone() {
        if (inFlight) {
            memory.abandon(LEAKED); // never freed: see above
            inFlight = false;
        }
        if (lingerFd >= 0) {
            LibC.close(lingerFd);
            lingerFd = -1;
        }
        discard = true;
        head = tail;
        owner = null;
        closed = true;
        disposeIfDone();
    }

    private void disposeIfDone() {
        if (queued() || (owner != null && !closed)) {
            return;
        }
        free();
        if (socket.writeBehind() == this) {
            socket.writeBehind(null);
        }
        if (driver != null && driver.sends == this) {
            driver.sends = null;
        }
        driver = null;
        if (lingering) {
            poller.unlinger(this);
        }
    }

    private void free() {
        memory.free();
    }

    @Override
    public String toString() {
        return "SendQueue[" + (tail - head) + "/" + capacity + " bytes" + (inFlight ? ", sending" : "")
                + (failure != 0 ? ", errno " + failure : "") + (closed ? ", closed" : "")
                + (lingerFd >= 0 ? ", lingering" : "") + "]";
    }
}
