package dev.pollen.posix;

import dev.pollen.spi.AbstractSplicePipe;
import dev.pollen.spi.PipePool;
import java.io.IOException;

/**
 * The Linux {@link dev.pollen.spi.SplicePipe}: a non-blocking {@code pipe2} pair between two
 * {@link PosixStreamSocket}s, filled and drained with {@code splice(2)}
 * ({@code SPLICE_F_MOVE | SPLICE_F_NONBLOCK}). One object per direction of a connection, made
 * when the forwarding starts; {@link AbstractSplicePipe} holds a kernel pipe only between
 * {@link #reserve()} and {@link #release()} (or {@link #close()}), keeps the count, the loop's
 * cap and the back-off, and gives released pipes to this backend's process-wide {@link #POOL}.
 *
 * <p>Limits (the properties are {@link AbstractSplicePipe}'s): no object is made off Linux,
 * without splice in the C library, or with a cap of 0. A new pipe is asked for
 * {@value AbstractSplicePipe#PIPE_SIZE_PROPERTY} bytes when set ({@code F_SETPIPE_SZ}; a
 * refusal keeps the kernel's default, 64 KiB on Linux) and its size is read back with
 * {@code F_GETPIPE_SZ}.
 *
 * <p><b>Threading:</b> loop thread only (the pool is thread-safe).
 */
final class KernelPipe extends AbstractSplicePipe {

    /** The empty pipes of pollen-posix, shared by all its loops (close-on-exec pipes only). */
    static final PipePool POOL = new PipePool();

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

    private KernelPipe(PosixSocketLayer layer, PosixStreamSocket from, PosixStreamSocket to) {
        super(layer.splicePipes, POOL);
        this.layer = layer;
        this.from = from;
        this.to = to;
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

    /**
     * A pipe from {@code from} to {@code to}, holding no kernel pipe yet, or null when this layer
     * cannot splice at all (not Linux, no splice in the C library, a cap of 0).
     */
    static KernelPipe open(PosixSocketLayer layer, PosixStreamSocket from, PosixStreamSocket to) {
        if (missing || layer.os().os != OsConstants.Os.LINUX || maxPipes() <= 0) {
            return null;
        }
        return new KernelPipe(layer, from, to);
    }

    @Override
    protected boolean newPipe(int requestedSize) {
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
        int r = layer.intPair(0);
        int w = layer.intPair(1);
        if (requestedSize > 0) {
            // A refusal (EPERM above /proc/sys/fs/pipe-max-size) keeps the default.
            LibC.fcntl(w, F_SETPIPE_SZ, requestedSize);
        }
        hold(r, w, LibC.fcntl(w, F_GETPIPE_SZ, 0)); // a failed query (-1): the default size
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: bytes a poller received ahead of the reader ({@link ReadAhead}) go first, written
     * into the pipe; the descriptor is spliced from only once the stash answers
     * {@link ReadAhead#DIRECT}.
     */
    @Override
    protected int spliceIn(int max) throws IOException {
        long stashed = from.fillFromStash(writeEnd(), max); // a poller's read-ahead goes first
        if (stashed != PosixStreamSocket.RETRY) {
            return (int) stashed;
        }
        while (true) {
            long n = LibC.splice(from.fd, writeEnd(), max, FLAGS);
            if (n > 0) {
                return (int) n;
            }
            long r = from.afterRead(n, "splice"); // as a read: data before a pending error
            if (r != PosixStreamSocket.RETRY) {
                return (int) r;
            }
        }
    }

    @Override
    protected int spliceOut(int max) throws IOException {
        to.throwRestoredError("splice");
        if (to.writeBehindQueued()) {
            return 0; // bytes a poller queued for sending go first (WriteBehind)
        }
        while (true) {
            long n = LibC.splice(readEnd(), to.fd, max, FLAGS);
            if (n >= 0) {
                return (int) n;
            }
            long r = to.afterFailure("splice");
            if (r != PosixStreamSocket.RETRY) {
                return (int) r;
            }
        }
    }

    @Override
    protected void closePipe(int readEnd, int writeEnd) {
        LibC.close(readEnd);
        LibC.close(writeEnd);
    }

    @Override
    public String toString() {
        return "KernelPipe[fd " + from.fd + " -> fd " + to.fd + ", " + state() + "]";
    }
}
