package dev.pollen.posix;

import dev.pollen.spi.SplicePipe;
import java.io.IOException;

/**
 * The Linux {@link SplicePipe}: a non-blocking {@code pipe2} pair between two
 * {@link PosixStreamSocket}s, filled and drained with {@code splice(2)}
 * ({@code SPLICE_F_MOVE | SPLICE_F_NONBLOCK}). One per direction of a connection, made when the
 * forwarding starts and closed with it: not pooled, because a layer has no close of its own that
 * could release pooled descriptors when its loop ends.
 *
 * <p>Limits: a layer keeps at most {@link #maxPipes()} pipes open (system property
 * {@value #MAX_PIPES_PROPERTY}, read at each open; 0 turns splicing off); {@code pipe2} failing
 * (EMFILE, ENFILE) also answers null, so the caller copies. The pipe's size is the kernel's
 * default (64 KiB on Linux) unless {@value #PIPE_SIZE_PROPERTY} asks for another
 * ({@code F_SETPIPE_SZ}; a refusal keeps the default).
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class KernelPipe implements SplicePipe {

    /** System property: the most splice pipes one layer (one loop) keeps open. */
    static final String MAX_PIPES_PROPERTY = "pollen.splice.maxPipes";
    /** System property: the pipe size to ask for, in bytes (0 or unset: the kernel's default). */
    static final String PIPE_SIZE_PROPERTY = "pollen.splice.pipeSize";
    static final int DEFAULT_MAX_PIPES = 4096;

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
    private final int readEnd;
    private final int writeEnd;
    private final int capacity;
    private int buffered;
    private boolean open = true;

    private KernelPipe(PosixSocketLayer layer, PosixStreamSocket from, PosixStreamSocket to,
            int readEnd, int writeEnd, int capacity) {
        this.layer = layer;
        this.from = from;
        this.to = to;
        this.readEnd = readEnd;
        this.writeEnd = writeEnd;
        this.capacity = capacity;
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
     * A pipe from {@code from} to {@code to}, or null when none can be had (see the class comment).
     */
    static KernelPipe open(PosixSocketLayer layer, PosixStreamSocket from, PosixStreamSocket to) {
        if (missing || layer.os().os != OsConstants.Os.LINUX || layer.splicePipes >= maxPipes()) {
            return null;
        }
        long fds = layer.intPairAddress();
        int rc;
        try {
            rc = LibC.pipe2(fds, layer.os().O_NONBLOCK | O_CLOEXEC);
        } catch (UnsupportedOperationException e) {
            return null;
        }
        if (rc != 0) {
            return null; // EMFILE, ENFILE, ENOMEM: copy instead (never a failure of the connection)
        }
        int r = layer.intPair(0);
        int w = layer.intPair(1);
        int size = Integer.getInteger(PIPE_SIZE_PROPERTY, 0);
        if (size > 0) {
            // A refusal (EPERM above /proc/sys/fs/pipe-max-size) keeps the default.
            LibC.fcntl(w, F_SETPIPE_SZ, size);
        }
        int capacity = LibC.fcntl(w, F_GETPIPE_SZ, 0);
        if (capacity <= 0) {
            capacity = 64 * 1024;
        }
        layer.splicePipes++;
        return new KernelPipe(layer, from, to, r, w, capacity);
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
        return capacity;
    }

    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        buffered = 0;
        layer.splicePipes--;
        LibC.close(readEnd);
        LibC.close(writeEnd);
    }

    @Override
    public String toString() {
        return "KernelPipe[fd " + from.fd + " -> fd " + to.fd + ", " + buffered + "/" + capacity
                + (open ? "" : ", closed") + "]";
    }
}
