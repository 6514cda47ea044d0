package dev.pollen.linux.uring;

import dev.pollen.posix.FfmDowncalls;
import dev.pollen.posix.LibC;
import dev.pollen.posix.OsConstants;
import dev.pollen.posix.PosixErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code ffm} engine: Pollen's own io_uring over {@code java.lang.foreign} (JDK 22+), with no
 * liburing and no Netty. The three system calls go through {@code syscall(2)} downcalls bound by
 * {@link FfmDowncalls}; the submission and completion rings are one {@code mmap}
 * ({@code IORING_FEAT_SINGLE_MMAP}) and the submission entries a second, read and written
 * through {@link MemorySegment}s, with acquire loads and release stores on the heads and tails
 * ({@link VarHandle}s).
 *
 * <ul>
 *   <li><b>Setup flags</b>: {@code IORING_SETUP_COOP_TASKRUN | TASKRUN_FLAG | SUBMIT_ALL}, each
 *       dropped in turn where the kernel says {@code EINVAL} ({@link #setupFlags} says which).
 *       Not {@code SINGLE_ISSUER}/{@code DEFER_TASKRUN}: a poller is built on one thread, run on
 *       another and may be closed from a third; nor is the ring fd registered with a thread. So
 *       any thread may drive the ring (one at a time, as the {@code Poller} contract says).</li>
 *   <li><b>Waits</b>: one {@code io_uring_enter(GETEVENTS | EXT_ARG)} with a relative
 *       {@code timespec} submits what was queued and waits; no timeout request is ever in the
 *       ring. A wait that may not block passes no {@code GETEVENTS} wait count and is skipped
 *       entirely when nothing is queued and the kernel flags no pending task work.</li>
 *   <li><b>Wakeup</b>: an eventfd watched by a multishot {@code POLL_ADD} that stays armed; a
 *       {@link #signal()} writes it.</li>
 *   <li><b>Receives</b> (read-ahead, {@link RecvStash}): an {@code IORING_OP_RECV} writes into
 *       the stash's native memory. A registration that ended keeps its slot until its receive
 *       completed, so the completion still reaches the stash (which frees or hands on the
 *       memory); closing the engine cancels the receives and waits for their completions with
 *       the removed polls ({@link #release()}), and a stash whose receive did not complete in
 *       that time is never freed. Polls write no user memory.</li>
 *   <li><b>Sends</b> (send-behind, {@link SendQueue}): an {@code IORING_OP_SEND} reads the
 *       queue's native memory; handled as receives are (slot kept, completions delivered while
 *       draining, cancelled as the engine closes).</li>
 *   <li><b>User data</b>: op (8 bits), registration slot (24), slot generation (16) and the
 *       registration's tag (16); registrations live in an array indexed by slot, so finding one
 *       is an index and a generation compare, and nothing is allocated per request, per
 *       completion or per wait.</li>
 * </ul>
 *
 * <p><b>Threading:</b> the thread that drives the poller (one at a time), except
 * {@link #signal()} (any thread).
 */
final class FfmEngine extends UringEngine {

    private static final System.Logger LOG = System.getLogger("dev.pollen.linux.uring");

    // ---- io_uring ABI (include/uapi/linux/io_uring.h); the numbers are the same on every arch
    private static final long SYS_SETUP = 425;
    private static final long SYS_ENTER = 426;
    static final int SETUP_SUBMIT_ALL = 1 << 7;
    static final int SETUP_COOP_TASKRUN = 1 << 8;
    static final int SETUP_TASKRUN_FLAG = 1 << 9;
    private static final int FEAT_SINGLE_MMAP = 1;
    private static final int FEAT_NODROP = 1 << 1;
    private static final int FEAT_EXT_ARG = 1 << 8;
    /** Came with 5.13, as multishot polls did. */
    private static final int FEAT_RSRC_TAGS = 1 << 10;
    private static final int ENTER_GETEVENTS = 1;
    private static final int ENTER_EXT_ARG = 1 << 3;
    private static final int SQ_CQ_OVERFLOW = 1 << 1;
    private static final int SQ_TASKRUN = 1 << 2;
    private static final long OFF_SQ_RING = 0L;
    private static final long OFF_SQES = 0x10000000L;
    private static final byte OP_POLL_ADD = IoUringRegistration.OP_POLL_ADD;
    private static final byte OP_POLL_REMOVE = IoUringRegistration.OP_POLL_REMOVE;
    private static final byte OP_ASYNC_CANCEL = IoUringRegistration.OP_ASYNC_CANCEL;
    private static final byte OP_RECV = IoUringRegistration.OP_RECV;
    private static final byte OP_SEND = IoUringRegistration.OP_SEND;
    /** {@code MSG_NOSIGNAL}: a send to a reset connection fails with EPIPE, no SIGPIPE. */
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int POLL_ADD_MULTI = 1;
    private static final int CQE_F_MORE = 2;
    private static final int POLLIN = 1;
    private static final int SQE_BYTES = 64;
    private static final int CQE_BYTES = 16;
    private static final int PARAMS_BYTES = 120;
    // struct io_uring_params
    private static final long P_SQ_ENTRIES = 0;
    private static final long P_CQ_ENTRIES = 4;
    private static final long P_FLAGS = 8;
    private static final long P_FEATURES = 20;
    private static final long P_SQ_OFF = 40;
    private static final long P_CQ_OFF = 80;
    // mmap(2) and eventfd(2)
    private static final int PROT_READ_WRITE = 3;
    private static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;
    private static final int EFD_NONBLOCK_CLOEXEC = 0x800 | 0x80000;
    // Linux errno
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int EBUSY = 16;
    private static final int EINVAL = 22;
    private static final int ETIME = 62;

    /** Submission queue entries (the completion queue gets twice as many). */
    static final int ENTRIES = 1024;

    // ---- user data: op << 56 | slot << 32 | generation << 16 | tag
    private static final long UD_POLL = 1L << 56;
    private static final long UD_WAKE = 2L << 56;
    private static final long UD_REMOVE = 3L << 56;
    private static final long UD_RECV = 4L << 56;
    private static final long UD_SEND = 5L << 56;
    private static final int MAX_SLOTS = 1 << 24;

    private static final Map<String, MethodHandle> H = FfmDowncalls.bind(UringCalls.class);
    private static final MethodHandle SYSCALL = FfmDowncalls.require(H, "syscall");
    private static final MethodHandle MMAP = FfmDowncalls.require(H, "mmap");
    private static final MethodHandle MUNMAP = FfmDowncalls.require(H, "munmap");
    private static final MethodHandle EVENTFD = FfmDowncalls.require(H, "eventfd");

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt INT_PLAIN = ValueLayout.JAVA_INT;

    /** An 8-byte counter value of 1 for eventfd writes; shared, never freed, only read. */
    private static final long ONE_ADDRESS;

    static {
        MemorySegment one = Arena.global().allocate(8, 8);
        one.set(LONG, 0, 1L);
        ONE_ADDRESS = one.address();
    }

    private final int ringFd;
    private final int eventFd;
    private final int setupFlags;
    private final boolean taskrunFlag;
    private final long ringsAddress;
    private final long ringsLength;
    private final MemorySegment rings;
    private final long sqesAddress;
    private final long sqesLength;
    private final MemorySegment sqes;
    private final long sqHead;
    private final long sqTail;
    private final long sqFlags;
    private final int sqMask;
    private final int sqEntries;
    private final long cqHead;
    private final long cqTail;
    private final long cqes;
    private final int cqMask;
    /** The getevents argument (24 bytes) then a timespec (16), both read by the kernel during the call. */
    private final Arena arena = Arena.ofShared();
    private final MemorySegment waitArg;
    private final long waitArgAddress;
    private final long timespecAddress;
    private final long drainAddress;

    /** The local submission tail (published before each enter). */
    private int tail;
    /** The local completion head (published after each reap). */
    private int head;
    private boolean wakeArmed;
    private boolean released;
    /** Requests submitted or queued whose last completion has not been reaped. */
    private int inFlight;
    /** Closing: completions are counted, not dispatched. */
    private boolean draining;

    private IoUringRegistration[] slots = new IoUringRegistration[64];
    private int[] generations = new int[64];
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int nextSlot;

    /**
     * Sets up a ring, maps it, makes the wakeup eventfd.
     *
     * @param poller the poller it serves
     * @throws UncheckedIOException if the kernel refuses (the cause names the call and errno)
     */
    FfmEngine(IoUringPoller poller) {
        super(poller);
        MemorySegment params = arena.allocate(PARAMS_BYTES, 8);
        int flags;
        try {
            flags = setup(params);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
        int fd = lastFd;
        ringFd = fd;
        setupFlags = flags;
        taskrunFlag = (flags & SETUP_TASKRUN_FLAG) != 0;
        int features = params.get(INT_PLAIN, P_FEATURES);
        long mapped = 0;
        long sqMapped = 0;
        int efd = -1;
        try {
            String missing = missingFeatures(features);
            if (missing != null) {
                throw new UncheckedIOException(new IOException("io_uring: this kernel's ring lacks "
                        + missing + " (the ffm engine needs Linux 5.13 or later)"));
            }
            sqEntries = params.get(INT_PLAIN, P_SQ_ENTRIES);
            int cqEntries = params.get(INT_PLAIN, P_CQ_ENTRIES);
            long sqArray = Integer.toUnsignedLong(params.get(INT_PLAIN, P_SQ_OFF + 24));
            long cqesOff = Integer.toUnsignedLong(params.get(INT_PLAIN, P_CQ_OFF + 20));
            long sqSize = sqArray + 4L * sqEntries;
            long cqSize = cqesOff + (long) CQE_BYTES * cqEntries;
            ringsLength = Math.max(sqSize, cqSize);
            mapped = mmap(ringsLength, fd, OFF_SQ_RING);
            sqesLength = (long) SQE_BYTES * sqEntries;
            sqMapped = mmap(sqesLength, fd, OFF_SQES);
            ringsAddress = mapped;
            sqesAddress = sqMapped;
            rings = MemorySegment.ofAddress(mapped).reinterpret(ringsLength);
            sqes = MemorySegment.ofAddress(sqMapped).reinterpret(sqesLength);
            sqHead = Integer.toUnsignedLong(params.get(INT_PLAIN, P_SQ_OFF));
            sqTail = Integer.toUnsignedLong(params.get(INT_PLAIN, P_SQ_OFF + 4));
            sqMask = rings.get(INT_PLAIN, Integer.toUnsignedLong(params.get(INT_PLAIN, P_SQ_OFF + 8)));
            sqFlags = Integer.toUnsignedLong(params.get(INT_PLAIN, P_SQ_OFF + 16));
            cqHead = Integer.toUnsignedLong(params.get(INT_PLAIN, P_CQ_OFF));
            cqTail = Integer.toUnsignedLong(params.get(INT_PLAIN, P_CQ_OFF + 4));
            cqMask = rings.get(INT_PLAIN, Integer.toUnsignedLong(params.get(INT_PLAIN, P_CQ_OFF + 8)));
            cqes = cqesOff;
            // the submission array maps entry i to SQE i, once for all
            for (int i = 0; i < sqEntries; i++) {
                rings.set(INT_PLAIN, sqArray + 4L * i, i);
            }
            tail = (int) INT.getAcquire(rings, sqTail);
            head = (int) INT.getAcquire(rings, cqHead);
            efd = eventfd();
            eventFd = efd;
            waitArg = arena.allocate(64, 8);
            waitArgAddress = waitArg.address();
            timespecAddress = waitArgAddress + 32;
            drainAddress = waitArgAddress + 48;
            waitArg.set(LONG, 0, 0L); // no signal mask
            waitArg.set(INT_PLAIN, 8, 8); // its size, _NSIG / 8
        } catch (RuntimeException | Error e) {
            if (sqMapped != 0) {
                munmap(sqMapped, (long) SQE_BYTES * params.get(INT_PLAIN, P_SQ_ENTRIES));
            }
            if (mapped != 0) {
                munmap(mapped, ringsLengthOf(params));
            }
            if (efd >= 0) {
                LibC.close(efd);
            }
            LibC.close(fd);
            arena.close();
            throw e;
        }
    }

    /** The fd io_uring_setup returned (the constructor's hand-off from {@link #setup}). */
    private int lastFd;

    private static long ringsLengthOf(MemorySegment params) {
        int sqEntries = params.get(INT_PLAIN, P_SQ_ENTRIES);
        int cqEntries = params.get(INT_PLAIN, P_CQ_ENTRIES);
        long sqSize = Integer.toUnsignedLong(params.get(INT_PLAIN, P_SQ_OFF + 24)) + 4L * sqEntries;
        long cqSize = Integer.toUnsignedLong(params.get(INT_PLAIN, P_CQ_OFF + 20)) + (long) CQE_BYTES * cqEntries;
        return Math.max(sqSize, cqSize);
    }

    /**
     * The setup flags this engine asks for, best first: each later set drops one flag.
     */
    static final int[] FLAG_SETS = {
        SETUP_COOP_TASKRUN | SETUP_TASKRUN_FLAG | SETUP_SUBMIT_ALL,
        SETUP_COOP_TASKRUN | SETUP_TASKRUN_FLAG,
        SETUP_COOP_TASKRUN,
        0,
    };

    /** Calls io_uring_setup with the best flags the kernel takes; sets {@link #lastFd}. */
    private int setup(MemorySegment params) {
        int tried = 0;
        for (int flags : FLAG_SETS) {
            params.fill((byte) 0);
            params.set(INT_PLAIN, P_FLAGS, flags);
            long fd = syscall(SYS_SETUP, ENTRIES, params.address(), 0, 0, 0, 0);
            if (fd >= 0) {
                lastFd = (int) fd;
                if (tried != 0) {
                    int t = tried;
                    LOG.log(System.Logger.Level.DEBUG, () -> "io_uring (ffm): the kernel refused setup flags "
                            + describeFlags(t) + " (EINVAL); the ring runs with " + describeFlags(flags));
                }
                return flags;
            }
            int e = FfmDowncalls.errno();
            if (e != EINVAL) {
                throw new UncheckedIOException(PosixErrors.error(OsConstants.LINUX, "io_uring_setup", e));
            }
            tried = flags;
        }
        throw new UncheckedIOException(PosixErrors.error(OsConstants.LINUX, "io_uring_setup", EINVAL));
    }

    /** The names of setup flags, for messages. */
    static String describeFlags(int flags) {
        if (flags == 0) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        if ((flags & SETUP_COOP_TASKRUN) != 0) {
            b.append("COOP_TASKRUN");
        }
        if ((flags & SETUP_TASKRUN_FLAG) != 0) {
            b.append(b.isEmpty() ? "" : "|").append("TASKRUN_FLAG");
        }
        if ((flags & SETUP_SUBMIT_ALL) != 0) {
            b.append(b.isEmpty() ? "" : "|").append("SUBMIT_ALL");
        }
        return b.toString();
    }

    private static String missingFeatures(int features) {
        StringBuilder b = new StringBuilder();
        if ((features & FEAT_SINGLE_MMAP) == 0) {
            b.append(" SINGLE_MMAP");
        }
        if ((features & FEAT_NODROP) == 0) {
            b.append(" NODROP");
        }
        if ((features & FEAT_EXT_ARG) == 0) {
            b.append(" EXT_ARG");
        }
        if ((features & FEAT_RSRC_TAGS) == 0) {
            b.append(" RSRC_TAGS");
        }
        return b.isEmpty() ? null : "IORING_FEAT_" + b.toString().trim().replace(" ", ", IORING_FEAT_");
    }

    /**
     * Sets up and tears down one ring: what the provider's availability line says about the
     * engine, or an exception saying why the ring cannot be set up.
     *
     * @return e.g. {@code "setup flags COOP_TASKRUN|TASKRUN_FLAG|SUBMIT_ALL"}
     */
    static String probe() {
        FfmEngine e = new FfmEngine(null);
        try {
            return "setup flags " + describeFlags(e.setupFlags);
        } finally {
            e.release();
        }
    }

    /** The factory the provider keeps (it loads this class reflectively, on JDK 22+ only). */
    static Function<IoUringPoller, UringEngine> factory() {
        return FfmEngine::new;
    }

    // ---- engine --------------------------------------------------------------------------------

    @Override
    String name() {
        return "ffm";
    }

    @Override
    void claim() {
        // any thread may drive this ring
    }

    @Override
    void prepare() {
        // any thread may drive this ring
    }

    @Override
    long pollAdd(IoUringRegistration r, int pollMask, int pollFlags, short tag) {
        long udata = userData(UD_POLL, r, tag);
        long sqe = nextSqe();
        sqes.set(ValueLayout.JAVA_BYTE, sqe, OP_POLL_ADD);
        sqes.set(INT_PLAIN, sqe + 4, r.source().fd());
        sqes.set(INT_PLAIN, sqe + 24, pollFlags);
        sqes.set(INT_PLAIN, sqe + 28, pollMask);
        sqes.set(LONG, sqe + 32, udata);
        return udata;
    }

    @Override
    void pollRemove(IoUringRegistration r, long udata) {
        removeRequest(OP_POLL_REMOVE, udata);
    }

    /**
     * The user data of a request of {@code kind} for {@code r}: its slot (taken now if it has
     * none), its generation and the caller's tag.
     */
    private long userData(long kind, IoUringRegistration r, short tag) {
        int slot = r.ringSlot;
        if (slot < 0) {
            slot = allocateSlot(r);
        }
        return kind | ((long) slot << 32) | ((long) (r.ringGen & 0xFFFF) << 16) | (tag & 0xFFFF);
    }

    /** Queues a request ({@code POLL_REMOVE} or {@code ASYNC_CANCEL}) that ends the one with {@code udata}. */
    private void removeRequest(byte op, long udata) {
        long sqe = nextSqe();
        sqes.set(ValueLayout.JAVA_BYTE, sqe, op);
        sqes.set(INT_PLAIN, sqe + 4, -1);
        sqes.set(LONG, sqe + 16, udata);
        sqes.set(LONG, sqe + 32, UD_REMOVE);
    }

    @Override
    long recv(IoUringRegistration r, long address, int len, boolean pollFirst, short tag) {
        long udata = userData(UD_RECV, r, tag);
        long sqe = nextSqe();
        sqes.set(ValueLayout.JAVA_BYTE, sqe, OP_RECV);
        sqes.set(ValueLayout.JAVA_SHORT, sqe + 2,
                pollFirst ? IoUringRegistration.RECVSEND_POLL_FIRST : (short) 0);
        sqes.set(INT_PLAIN, sqe + 4, r.source().fd());
        sqes.set(LONG, sqe + 16, address);
        sqes.set(INT_PLAIN, sqe + 24, len);
        sqes.set(LONG, sqe + 32, udata);
        return udata;
    }

    @Override
    boolean sends() {
        return true;
    }

    @Override
    long send(IoUringRegistration r, int fd, long address, int len, short tag) {
        long udata = userData(UD_SEND, r, tag);
        long sqe = nextSqe();
        sqes.set(ValueLayout.JAVA_BYTE, sqe, OP_SEND);
        sqes.set(INT_PLAIN, sqe + 4, fd);
        sqes.set(LONG, sqe + 16, address);
        sqes.set(INT_PLAIN, sqe + 24, len);
        sqes.set(INT_PLAIN, sqe + 28, MSG_NOSIGNAL);
        sqes.set(LONG, sqe + 32, udata);
        return udata;
    }

    @Override
    void cancel(IoUringRegistration r, long udata) {
        removeRequest(OP_ASYNC_CANCEL, udata);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: its slot is freed at once, unless a receive or send of its is in flight; then the
     * slot is kept (the generation unchanged) until that request's completion arrived.
     */
    @Override
    void ended(IoUringRegistration r) {
        int slot = r.ringSlot;
        if (slot >= 0 && !r.requestInFlight()) {
            slots[slot] = null;
            generations[slot] = (generations[slot] + 1) & 0xFFFF;
            if (freeCount == freeSlots.length) {
                freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
            }
            freeSlots[freeCount++] = slot;
            r.ringSlot = -1;
        }
    }

    private int allocateSlot(IoUringRegistration r) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            slot = nextSlot++;
            if (slot == MAX_SLOTS) {
                nextSlot--;
                throw new IllegalStateException("io_uring: more than " + MAX_SLOTS
                        + " registrations with polls armed on one poller");
            }
            if (slot == slots.length) {
                slots = Arrays.copyOf(slots, slot * 2);
                generations = Arrays.copyOf(generations, slot * 2);
            }
        }
        slots[slot] = r;
        r.ringSlot = slot;
        r.ringGen = generations[slot];
        return slot;
    }

    /** The offset of a zeroed submission entry, queued; submits first if the queue is full. */
    private long nextSqe() {
        if (tail - (int) INT.getAcquire(rings, sqHead) == sqEntries) {
            enter(0, 0, 0L);
            if (tail - (int) INT.getAcquire(rings, sqHead) == sqEntries) {
                throw new IllegalStateException("io_uring: the submission queue stays full");
            }
        }
        long sqe = (long) (tail & sqMask) * SQE_BYTES;
        for (int i = 0; i < SQE_BYTES; i += 8) {
            sqes.set(LONG, sqe + i, 0L);
        }
        tail++;
        inFlight++;
        return sqe;
    }

    private void armWakeup() {
        long sqe = nextSqe();
        sqes.set(ValueLayout.JAVA_BYTE, sqe, OP_POLL_ADD);
        sqes.set(INT_PLAIN, sqe + 4, eventFd);
        sqes.set(INT_PLAIN, sqe + 24, POLL_ADD_MULTI);
        sqes.set(INT_PLAIN, sqe + 28, POLLIN);
        sqes.set(LONG, sqe + 32, UD_WAKE);
        wakeArmed = true;
    }

    @Override
    void run(long timeoutNanos) {
        if (!wakeArmed) {
            armWakeup();
        }
        boolean block = timeoutNanos != 0 && !poller.mustNotBlock() && completionsWaiting() == 0;
        if (block) {
            long ts = 0;
            if (timeoutNanos > 0 && timeoutNanos < MAX_FINITE_TIMEOUT) {
                waitArg.set(LONG, 32, timeoutNanos / 1_000_000_000L);
                waitArg.set(LONG, 40, timeoutNanos % 1_000_000_000L);
                ts = timespecAddress;
            }
            waitArg.set(LONG, 16, ts);
            enter(1, ENTER_GETEVENTS | ENTER_EXT_ARG, waitArgAddress);
        } else if (tail != (int) INT.getAcquire(rings, sqHead) || !taskrunFlag
                || ((int) INT.getAcquire(rings, sqFlags) & (SQ_TASKRUN | SQ_CQ_OVERFLOW)) != 0) {
            enter(0, ENTER_GETEVENTS, 0);
        }
        reap();
    }

    @Override
    void submit() {
        if (tail != (int) INT.getAcquire(rings, sqHead)) {
            enter(0, 0, 0);
        }
        reap();
    }

    private int completionsWaiting() {
        return (int) INT.getAcquire(rings, cqTail) - head;
    }

    /** Publishes the queued submissions and calls io_uring_enter; routine errors end the wait. */
    private void enter(int minComplete, int flags, long arg) {
        int toSubmit = tail - (int) INT.getAcquire(rings, sqHead);
        INT.setRelease(rings, sqTail, tail);
        long r = syscall(SYS_ENTER, ringFd, toSubmit, minComplete, flags, arg,
                (flags & ENTER_EXT_ARG) != 0 ? 24 : 0);
        if (r < 0) {
            int e = FfmDowncalls.errno();
            if (e != EINTR && e != ETIME && e != EAGAIN && e != EBUSY) {
                throw new UncheckedIOException(PosixErrors.error(OsConstants.LINUX, "io_uring_enter", e));
            }
        }
    }

    /** Hands every posted completion to its registration, then frees the entries. */
    private void reap() {
        int h = head;
        int t = (int) INT.getAcquire(rings, cqTail);
        try {
            while (h != t) {
                long cqe = cqes + (long) (h & cqMask) * CQE_BYTES;
                long udata = rings.get(LONG, cqe);
                int res = rings.get(INT_PLAIN, cqe + 8);
                int flags = rings.get(INT_PLAIN, cqe + 12);
                h++;
                if ((flags & CQE_F_MORE) == 0) {
                    inFlight--;
                }
                long op = udata & (0xFFL << 56);
                if (!draining || op == UD_RECV || op == UD_SEND) {
                    complete(udata, res, flags); // a receive's (send's) completion gives the memory back
                }
                if (h == t) {
                    t = (int) INT.getAcquire(rings, cqTail);
                }
            }
        } finally {
            head = h;
            INT.setRelease(rings, cqHead, h);
        }
    }

    private void complete(long udata, int res, int flags) {
        long op = udata & (0xFFL << 56);
        if (op == UD_POLL) {
            int slot = (int) (udata >>> 32) & (MAX_SLOTS - 1);
            IoUringRegistration r = slot < slots.length ? slots[slot] : null;
            if (r != null && r.ringGen == ((int) (udata >>> 16) & 0xFFFF)) {
                r.completed((short) udata, res, flags);
            }
        } else if (op == UD_RECV || op == UD_SEND) {
            int slot = (int) (udata >>> 32) & (MAX_SLOTS - 1);
            IoUringRegistration r = slot < slots.length ? slots[slot] : null;
            if (r != null && r.ringGen == ((int) (udata >>> 16) & 0xFFFF)) {
                if (op == UD_RECV) {
                    r.received((short) udata, res, flags);
                } else {
                    r.sent((short) udata, res);
                }
                if (r.isCancelled() && !r.requestInFlight() && !draining) {
                    ended(r); // it kept its slot for this completion
                }
            }
        } else if (op == UD_WAKE && (flags & CQE_F_MORE) == 0) {
            // the kernel ended the multishot poll: drain the eventfd so the new one waits
            LibC.read(eventFd, drainAddress, 8);
            wakeArmed = false;
        }
    }

    @Override
    void signal() {
        LibC.write(eventFd, ONE_ADDRESS, 8);
    }

    /**
     * Closes the ring (the kernel cancels what is in flight: polls, which write no user memory),
     * unmaps it, closes the eventfd.
     */
    @Override
    void release() {
        if (released) {
            return;
        }
        released = true;
        try {
            if (poller != null) {
                drain();
            }
        } catch (RuntimeException | Error e) {
            // best effort: the kernel tears down what is left once the ring fd is closed
        } finally {
            closeRing();
        }
    }

    /** How long {@link #release()} waits for the removed polls to complete. */
    private static final long DRAIN_NANOS = 200_000_000L;

    /**
     * Removes every armed poll and waits (up to {@link #DRAIN_NANOS}) until the kernel completed
     * them all. A poll holds a reference to its socket: if the ring fd were closed with polls
     * armed, the kernel would drop those references only when its asynchronous teardown of the
     * ring runs, so a listener closed right after the poller would keep its port bound for a
     * while (a loop group's next acceptor then failed to bind it: {@code IoUringRingTest}).
     */
    private void drain() {
        for (IoUringRegistration r : slots) {
            if (r != null) {
                r.close(); // queues a POLL_REMOVE for each armed poll
            }
        }
        if (wakeArmed) {
            long sqe = nextSqe();
            sqes.set(ValueLayout.JAVA_BYTE, sqe, OP_POLL_REMOVE);
            sqes.set(INT_PLAIN, sqe + 4, -1);
            sqes.set(LONG, sqe + 16, UD_WAKE);
            sqes.set(LONG, sqe + 32, UD_REMOVE);
            wakeArmed = false;
        }
        draining = true;
        long deadline = System.nanoTime() + DRAIN_NANOS;
        while (inFlight > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            long wait = Math.min(left, 10_000_000L);
            waitArg.set(LONG, 32, 0L);
            waitArg.set(LONG, 40, wait);
            waitArg.set(LONG, 16, timespecAddress);
            enter(1, ENTER_GETEVENTS | ENTER_EXT_ARG, waitArgAddress);
            reap();
        }
    }

    private void closeRing() {
        LibC.close(ringFd);
        munmap(sqesAddress, sqesLength);
        munmap(ringsAddress, ringsLength);
        LibC.close(eventFd);
        Arrays.fill(slots, null);
        arena.close();
    }

    // ---- downcalls -----------------------------------------------------------------------------

    private static long syscall(long nr, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) SYSCALL.invokeExact(FfmDowncalls.state(), nr, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    private static long mmap(long length, int fd, long offset) {
        long a;
        try {
            a = (long) MMAP.invokeExact(FfmDowncalls.state(), 0L, length, PROT_READ_WRITE,
                    MAP_SHARED_POPULATE, fd, offset);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
        if (a == -1L) {
            throw new UncheckedIOException(PosixErrors.error(OsConstants.LINUX,
                    "mmap(io_uring ring)", FfmDowncalls.errno()));
        }
        return a;
    }

    private static void munmap(long address, long length) {
        try {
            int ignored = (int) MUNMAP.invokeExact(FfmDowncalls.state(), address, length);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    private static int eventfd() {
        int fd;
        try {
            fd = (int) EVENTFD.invokeExact(FfmDowncalls.state(), 0, EFD_NONBLOCK_CLOEXEC);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
        if (fd < 0) {
            throw new UncheckedIOException(PosixErrors.error(OsConstants.LINUX, "eventfd",
                    FfmDowncalls.errno()));
        }
        return fd;
    }
}
