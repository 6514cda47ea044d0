package dev.pollen.posix;

import dev.pollen.spi.SplicePipe;
import java.io.IOException;

/**
 * The Linux {@link SplicePipe}: a non-blocking {@code pipe2} pair between two
 * {@link PosixStreamSocket}s, filled and drained with {@code splice(2)}
 * ({@code SPLICE_F_MOVE | SPLICE_F_NONBLOCK}). One object per direction of a connection, made
 * when the forwarding starts; it holds a kernel pipe only between {@link #reserve()} and
 * {@link #release()} (or {@link #close()}).
 *
 * <p><b>Pool.</b> A released pipe (always empty) goes to a small process-wide pool
 * ({@link PipePool}: at most {@value #POOL_PROPERTY} pipes, read when the object is made,
 * default {@value PipePool#DEFAULT_SIZE}) and the next reservation on any loop takes it from there, so a
 * splicing direction that gives its pipe back whenever it is empty costs no {@code pipe2} or
 * {@code close} per burst. The pool is process-wide rather than per layer because a layer has no
 * close of its own that could give pooled descriptors back when its loop ends; a bounded pool
 * outlives loops harmlessly.
 *
 * <p>Limits: a layer holds at most {@link #maxPipes()} reserved pipes (system property
 * {@value #MAX_PIPES_PROPERTY}, read when the object is made; 0 turns splicing off: no object
 * is made); past it, or when {@code pipe2} fails (EMFILE, ENFILE), {@link #reserve()} answers
 * false and the caller copies. After a {@code pipe2} failure the next
 * {@value #BACKOFF} reservations of this object answer false without trying. The pipe's size is
 * the kernel's default (64 KiB on Linux) unless {@value #PIPE_SIZE_PROPERTY} asks for another
 * ({@code F_SETPIPE_SZ}; a refusal keeps the default).
 *
 * <p><b>Threading:</b> loop thread only (the pool is thread-safe).
 */
final class KernelPipe implements SplicePipe {

    /** System property: the most splice pipes one layer (one loop) holds at once. */
    static final String MAX_PIPES_PROPERTY = "pollen.splice.maxPipes";
    /** System property: the pipe size to ask for, in bytes (0 or unset: the kernel's default). */
    static final String PIPE_SIZE_PROPERTY = "pollen.splice.pipeSize";
    /** System property: the most released pipes kept open for reuse, process-wide. */
    static final String POOL_PROPERTY = "pollen.splice.pool";
    static final int DEFAULT_MAX_PIPES = 4096;
    /** Reservations refused without a try after {@code pipe2} failed. */
    static final int BACKOFF = 16;

    // Linux values (the class is only used on Linux).
    private static final int SPLICE_F_MOVE = 1;
    private static final int SPLICE_F_NONBLOCK = 2;
    private static final int F_SETPIPE_SZ = 1031;
    private static final int F_GETPIPE_SZ = 1032;
    private static final int O_CLOEXEC = 0x80000;
    private static final int FLAGS = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;

    /** Whether the C library lacks splice (set once by {@link #bind()}). */
    private static volatile boolean missing;

    private final PosixSocketLayer layer;
    private final PosixStreamSocket from;
    private final PosixStreamSocket to;
    private final int maxPipes;
    private final int requestedSize;
    private final int poolSize;
    /** The held pipe's ends, or -1 while none is held. */
    private int readEnd = -1;
    private int writeEnd = -1;
    private int capacity;
    private int buffered;
    private int backoff;
    private boolean open = true;

    private KernelPipe(PosixSocketLayer layer, PosixStreamSocket from, PosixStreamSocket to,
            int maxPipes, int requestedSize, int poolSize) {
        this.layer = layer;
        this.from = from;
        this.to = to;
        this.maxPipes = maxPipes;
        this.requestedSize = requestedSize;
        this.poolSize = poolSize;
    }

    /**
     * Binds {@code splice} and {@code pipe2} now (a throwaway call on fd -1, which fails with
     * EBADF), as the layer does for accept4: binding later, when descriptors may have run out,
     * can fail. A C library without them just leaves splicing off.
     */
    static void bind() {
        try {
            LibC.splice(-1, -1, 0, 0);
        } catch (UnsupportedOperationException e) {
            missing = true; // open() answers null from now on
        }
    }

    /** The cap in force now. */
    static int maxPipes() {
        return Integer.getInteger(MAX_PIPES_PROPERTY, DEFAULT_MAX_PIPES);
    }

    /**
     * A pipe from {@code from} to {@code to}, holding no kernel pipe yet, or null when this layer
     * cannot splice at all (not Linux, no splice in the C library, a cap of 0).
     */
    static KernelPipe open(PosixSocketLayer layer, PosixStreamSocket from, PosixStreamSocket to) {
        int max = maxPipes();
        if (missing || layer.os().os != OsConstants.Os.LINUX || max <= 0) {
            return null;
        }
        return new KernelPipe(layer, from, to, max, Integer.getInteger(PIPE_SIZE_PROPERTY, 0),
                Integer.getInteger(POOL_PROPERTY, PipePool.DEFAULT_SIZE));
    }

    @Override
    public boolean reserve() {
        if (readEnd >= 0) {
            return true;
        }
        if (!open || layer.splicePipes >= maxPipes) {
            return false;
        }
        if (backoff > 0) {
            backoff--;
            return false;
        }
        if (!PipePool.take(poolSize, requestedSize, this) && !make()) {
            backoff = BACKOFF;
            return false;
        }
        layer.splicePipes++;
        return true;
    }

    /** Takes a pooled pipe ({@link PipePool#take}). */
    void adopt(int r, int w, int c) {
        readEnd = r;
        writeEnd = w;
        capacity = c;
    }

    /** A new kernel pipe into the fields; false if {@code pipe2} failed. */
    private boolean make() {
        long fds = layer.intPairAddress();
        int rc;
        try {
            rc = LibC.pipe2(fds, layer.os().O_NONBLOCK | O_CLOEXEC);
        } catch (UnsupportedOperationException e) {
            return false;
        }
        if (rc != 0) {
            return false; // EMFILE, ENFILE, ENOMEM: copy instead (never a failure of the connection)
        }
        readEnd = layer.intPair(0);
        writeEnd = layer.intPair(1);
        if (requestedSize > 0) {
            // A refusal (EPERM above /proc/sys/fs/pipe-max-size) keeps the default.
            LibC.fcntl(writeEnd, F_SETPIPE_SZ, requestedSize);
        }
        int c = LibC.fcntl(writeEnd, F_GETPIPE_SZ, 0);
        capacity = c > 0 ? c : 64 * 1024;
        return true;
    }

    @Override
    public int fill() throws IOException {
        int room = capacity - buffered;
        if (room <= 0) {
            return 0;
        }
        while (true) {
            long n = LibC.splice(from.fd, writeEnd, room, FLAGS);
            if (n > 0) {
                buffered += (int) n;
                return (int) n;
            }
            long r = from.afterRead(n, "splice"); // as a read: data before a pending error
            if (r != PosixStreamSocket.RETRY) {
                return (int) r;
            }
        }
    }

    @Override
    public int drain() throws IOException {
        if (buffered == 0) {
            return 0;
        }
        to.throwRestoredError("splice");
        while (true) {
            long n = LibC.splice(readEnd, to.fd, buffered, FLAGS);
            if (n >= 0) {
                buffered -= (int) n;
                return (int) n;
            }
            long r = to.afterFailure("splice");
            if (r != PosixStreamSocket.RETRY) {
                return (int) r;
            }
        }
    }

    @Override
    public int buffered() {
        return buffered;
    }

    @Override
    public int capacity() {
        return readEnd >= 0 ? capacity : 0;
    }

    @Override
    public void release() {
        if (readEnd < 0 || buffered > 0) {
            return;
        }
        if (!PipePool.give(poolSize, readEnd, writeEnd, capacity, requestedSize)) {
            LibC.close(readEnd);
            LibC.close(writeEnd);
        }
        readEnd = -1;
        writeEnd = -1;
        layer.splicePipes--;
    }

    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        if (readEnd >= 0) {
            if (buffered > 0) {
                buffered = 0; // what it holds can go nowhere: the pipe itself goes
                LibC.close(readEnd);
                LibC.close(writeEnd);
                readEnd = -1;
                writeEnd = -1;
                layer.splicePipes--;
            } else {
                release();
            }
        }
    }

    @Override
    public String toString() {
        return "KernelPipe[fd " + from.fd + " -> fd " + to.fd + ", "
                + (readEnd >= 0 ? buffered + "/" + capacity : "no pipe held")
                + (open ? "" : ", closed") + "]";
    }
}
