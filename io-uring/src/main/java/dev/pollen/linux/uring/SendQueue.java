package dev.pollen.linux.uring;

import dev.pollen.posix.LibC;
import dev.pollen.posix.OsConstants;
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
 *   <li><b>Close</b> with bytes queued ends like a {@code close(2)} after {@code send(2)}: the
 *       bytes are handed to the kernel, which keeps sending them for the orphaned socket, and
 *       the process keeps nothing. With no send in flight, the close pushes what is queued with
 *       non-blocking {@code send(2)}s ({@code MSG_DONTWAIT | MSG_NOSIGNAL}) before the
 *       descriptor goes; when the kernel takes it all (the usual case: its send buffer has
 *       room) nothing is kept: no duplicate, no buffer. With a send in flight, a {@code send(2)}
 *       would overtake it, so the push waits for that send's completion. What the kernel does
 *       not take lingers: the descriptor is duplicated ({@code F_DUPFD_CLOEXEC}; the close of
 *       the original then closes nothing the kernel sees) and the queue keeps sending through
 *       the duplicate, then closes it after the last byte (or the first error): the peer gets
 *       every byte, then the FIN (a deferred half-close is made first, after the last byte).
 *       <b>The linger is bounded</b> by {@code -Dpollen.io_uring.sendLinger} (milliseconds
 *       from the close, default {@value IoUringPoller#SEND_LINGER_DEFAULT_MS}): a peer that has
 *       not taken the rest by then gets a reset (the duplicate is closed with
 *       {@code SO_LINGER} 0, the send in flight cancelled, one DEBUG line, counted in
 *       {@link #LINGER_RESETS}), and the buffer is freed once that send completed. An abortive
 *       close ({@code SO_LINGER} 0) drops the bytes and cancels the send in flight at once.
 *       The memory is freed only when no send is in flight; a send still in flight when the
 *       ring is torn down keeps its buffer for good ({@link #LEAKED}), and a linger cut short
 *       by the poller's close resets the connection too.</li>
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

    /**
     * Closed sockets whose peer had not taken the queued rest when the linger bound passed, and
     * that were reset (process-wide, for tests and diagnostics).
     */
    static final AtomicLong LINGER_RESETS = new AtomicLong();

    private static final System.Logger LOG = System.getLogger("dev.pollen.linux.uring");
    /** {@code MSG_DONTWAIT | MSG_NOSIGNAL}: the close's own {@code send(2)}s never block nor raise SIGPIPE. */
    private static final int PUSH_FLAGS = OsConstants.LINUX.MSG_DONTWAIT | OsConstants.LINUX.MSG_NOSIGNAL;

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
    /** While {@link #lingerFd} is held: when ({@link System#nanoTime()}) the linger ends with a reset. */
    private long lingerDeadline;
    /** The close found a send in flight: its completion pushes the rest with {@code send(2)}. */
    private boolean pushAtCompletion;
    /** Queued bytes were dropped after the close: the duplicate is closed with a reset. */
    private boolean resetAtEnd;
    /** Bytes pushed by {@code send(2)} at the close (for tests). */
    long pushedAtClose;
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
        if (res == -ECANCELED && closed && !discard && lingerFd >= 0) {
            resetAtEnd = true; // cancelled as the poller closes: the peer must not take a FIN for the end
        }
        if (discard || (res == -ECANCELED && closed)) {
            head = tail;
        }
        if (owner != null) {
            driver = owner; // a later registration took the socket over
        }
        if (pushAtCompletion) {
            pushAtCompletion = false; // the send the close waited for: now send(2) keeps the order
            if (tail != head && lingerFd >= 0 && !discard && failure == 0) {
                push(lingerFd);
            }
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
            if (resetAtEnd) {
                poller.sockets().resetOnClose(lingerFd);
            }
            LibC.close(lingerFd); // the last descriptor of the socket: the peer gets the FIN (or the reset) now
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
     * The socket is about to close its descriptor (still open): what is queued goes to the kernel
     * by {@code send(2)} now, or after the send in flight; the rest keeps going through a
     * duplicate, for at most the poller's linger bound (an abortive close drops it all). The
     * caller submits what this queued for the ring before the close.
     */
    void socketClosing() {
        closed = true;
        owner = null;
        if (!queued()) {
            disposeIfDone();
            return;
        }
        if (abortive()) {
            dropAll();
            if (!inFlight) {
                drained(); // nothing of the ring's touches the buffer: freed now
                return;
            }
        } else {
            if (!inFlight) {
                long before = head;
                push(socket.fd());
                pushedAtClose += head - before;
                if (tail == head) {
                    // the kernel took it all (or the connection had failed): the close(2) that
                    // follows sends the FIN after it, as after a send(2); nothing is kept
                    shutdownPending = false;
                    drained();
                    return;
                }
            } else {
                pushAtCompletion = true;
            }
            lingerFd = LibC.dupCloexec(socket.fd());
            if (lingerFd < 0) {
                dropAll(); // out of descriptors: the close(2) keeps what the kernel took
                if (!inFlight) {
                    drained();
                    return;
                }
            } else {
                lingerDeadline = System.nanoTime() + poller.sendLingerNanos;
            }
        }
        poller.linger(this);
        if (driver != null) {
            poller.markDirty(driver);
        }
    }

    /**
     * Non-blocking {@code send(2)}s of the queued bytes to {@code fd}, oldest first, until the
     * kernel takes no more; a failure (EPIPE, ECONNRESET) drops the rest, as a failed send does.
     * No send may be in flight (it would be overtaken).
     */
    private void push(int fd) {
        long base = memory.address(capacity);
        while (tail != head) {
            int at = (int) (head & (capacity - 1));
            int len = (int) Math.min(tail - head, capacity - at);
            long n = LibC.sendto(fd, base + at, len, PUSH_FLAGS, 0, 0);
            if (n > 0) {
                head += n;
                if (n < len) {
                    return; // the kernel's buffer is full
                }
                continue;
            }
            int e = n < 0 ? LibC.errno() : EAGAIN;
            if (e == EINTR) {
                continue;
            }
            if (e != EAGAIN) {
                failure = e;
                head = tail; // the connection failed: what is queued can go nowhere
            }
            return;
        }
    }

    /**
     * Whether this queue lingers after its socket's close with a time bound (a duplicate is held
     * and its bytes are not being dropped already).
     */
    boolean bounded() {
        return lingerFd >= 0 && !discard;
    }

    /** When the linger ends ({@link System#nanoTime()}); meaningful while {@link #bounded()}. */
    long lingerDeadline() {
        return lingerDeadline;
    }

    /**
     * The linger bound passed with bytes still queued: the peer gets a reset (the duplicate is
     * closed with {@code SO_LINGER} 0 once no send is in flight; the one in flight is cancelled
     * and its completion frees the buffer). The caller submits the cancellation.
     */
    void lingerExpired() {
        int left = (int) (tail - head);
        LOG.log(System.Logger.Level.DEBUG, () -> "io_uring: the peer of a closed socket did not take its last "
                + left + " queued bytes within " + poller.sendLingerNanos / 1_000_000
                + " ms (-D" + IoUringPoller.SEND_LINGER_PROPERTY + "): reset");
        LINGER_RESETS.incrementAndGet();
        resetAtEnd = true;
        dropAll();
        if (!inFlight) {
            drained(); // closes the duplicate: the reset goes now
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
        boolean inFlightWas = inFlight;
        if (inFlight) {
            memory.abandon(LEAKED); // never freed: see above
            inFlight = false;
        }
        if (lingerFd >= 0) {
            if (tail != head || inFlightWas) {
                poller.sockets().resetOnClose(lingerFd); // bytes are dropped: the peer must not take a FIN for the end
            }
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
