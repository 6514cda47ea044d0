package dev.pollen.spi;

import java.io.IOException;

/**
 * What every {@link SplicePipe} shares, whatever binding makes its system calls: holding a kernel
 * pipe only between {@link #reserve()} and {@link #release()} (from and back to the backend's
 * {@link PipePool}), the loop's cap on held pipes ({@value #MAX_PIPES_PROPERTY}), the back-off
 * after {@code pipe2} failed, the count of bytes in the pipe and the room left, an idempotent
 * {@link #close()}, and the system properties ({@value #PIPE_SIZE_PROPERTY},
 * {@value #POOL_PROPERTY}). A backend supplies the making of a kernel pipe ({@link #newPipe}),
 * the two {@code splice(2)} calls ({@link #spliceIn}, {@link #spliceOut}) and the closing of a
 * pipe's descriptors ({@link #closePipe}).
 *
 * <p>The properties are read when the object is made ({@link StreamSocket#openSplice}), so a test
 * or an operator can change them between connections. A cap of 0 means the backend makes no
 * object at all ({@link #maxPipes()}).
 *
 * <p><b>Threading:</b> loop thread only (the loop of both sockets), like the pipe; the pool is
 * thread-safe.
 */
public abstract class AbstractSplicePipe implements SplicePipe {

    /** System property: the most splice pipes one loop holds at once (0 turns splicing off). */
    public static final String MAX_PIPES_PROPERTY = "pollen.splice.maxPipes";
    /** System property: the pipe size to ask for, in bytes (0 or unset: the kernel's default). */
    public static final String PIPE_SIZE_PROPERTY = "pollen.splice.pipeSize";
    /** System property: the most released pipes a backend keeps open for reuse, process-wide. */
    public static final String POOL_PROPERTY = "pollen.splice.pool";
    /** The cap on pipes per loop without {@value #MAX_PIPES_PROPERTY}. */
    public static final int DEFAULT_MAX_PIPES = 4096;
    /** Linux's default pipe size (16 pages of 4 KiB), for a binding that cannot ask the kernel. */
    public static final int DEFAULT_PIPE_SIZE = 64 * 1024;
    /** Reservations refused without a try after {@code pipe2} failed. */
    public static final int BACKOFF = 16;

    /**
     * The number of kernel pipes the splice pipes of one loop hold now, checked against
     * {@value #MAX_PIPES_PROPERTY}. A backend's socket layer keeps one.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public static final class LoopCount {
        private int held;

        /**
         * A count of 0.
         *
         * <p><b>Threading:</b> any thread (before the loop uses it).
         */
        public LoopCount() {
        }

        /**
         * Kernel pipes held now by this loop's splice pipes.
         *
         * <p><b>Threading:</b> loop thread only.
         *
         * @return the count
         */
        public int held() {
            return held;
        }
    }

    private final LoopCount loop;
    private final PipePool pool;
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

    /**
     * A pipe object holding no kernel pipe yet; reads the properties now.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param loop the count of the loop's held pipes
     * @param pool the backend's pool of empty pipes
     */
    protected AbstractSplicePipe(LoopCount loop, PipePool pool) {
        this.loop = loop;
        this.pool = pool;
        this.maxPipes = maxPipes();
        this.requestedSize = Integer.getInteger(PIPE_SIZE_PROPERTY, 0);
        this.poolSize = Integer.getInteger(POOL_PROPERTY, PipePool.DEFAULT_SIZE);
    }

    /**
     * The cap on held pipes per loop in force now ({@value #MAX_PIPES_PROPERTY},
     * {@value #DEFAULT_MAX_PIPES} unless set). A backend makes no pipe object when it is 0 or less.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the cap
     */
    public static int maxPipes() {
        return Integer.getInteger(MAX_PIPES_PROPERTY, DEFAULT_MAX_PIPES);
    }

    /**
     * Makes a new kernel pipe and {@link #hold}s it.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param requestedSize the size to ask for ({@value #PIPE_SIZE_PROPERTY}), 0 for the kernel's
     *                      default; a binding that cannot ask keeps the default
     * @return false if none can be had ({@code pipe2} failed: EMFILE, ENFILE, ENOMEM)
     */
    protected abstract boolean newPipe(int requestedSize);

    /**
     * Moves bytes from the source socket into the held pipe ({@link #writeEnd()}): one
     * {@code splice(2)} (retried on EINTR).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param max at most this many bytes, {@code > 0} (the room left)
     * @return bytes now counted in the pipe ({@code > 0}); 0 if none now; -1 at the source's
     *         end-of-stream
     * @throws IOException if the source connection failed, as its read would
     */
    protected abstract int spliceIn(int max) throws IOException;

    /**
     * Moves bytes from the held pipe ({@link #readEnd()}) into the destination socket: one
     * {@code splice(2)} (retried on EINTR).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param max at most this many bytes, {@code > 0} (what the pipe holds)
     * @return bytes moved; 0 if the destination's send buffer is full
     * @throws IOException if the destination connection failed, as its write would
     */
    protected abstract int spliceOut(int max) throws IOException;

    /**
     * Closes a kernel pipe's two descriptors (one that is not pooled).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param readEnd  the read end
     * @param writeEnd the write end
     */
    protected abstract void closePipe(int readEnd, int writeEnd);

    /**
     * Takes a kernel pipe into this object: from {@link #newPipe} or the pool.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param readEnd  the read end's descriptor
     * @param writeEnd the write end's descriptor
     * @param capacity the pipe's size in bytes ({@code > 0})
     */
    protected final void hold(int readEnd, int writeEnd, int capacity) {
        this.readEnd = readEnd;
        this.writeEnd = writeEnd;
        this.capacity = capacity > 0 ? capacity : DEFAULT_PIPE_SIZE;
    }

    /**
     * The held pipe's read end.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the descriptor, -1 while none is held
     */
    protected final int readEnd() {
        return readEnd;
    }

    /**
     * The held pipe's write end.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the descriptor, -1 while none is held
     */
    protected final int writeEnd() {
        return writeEnd;
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public final boolean reserve() {
        if (readEnd >= 0) {
            return true;
        }
        if (!open || loop.held >= maxPipes) {
            return false;
        }
        if (backoff > 0) {
            backoff--;
            return false;
        }
        if (!pool.take(poolSize, requestedSize, this) && !newPipe(requestedSize)) {
            backoff = BACKOFF;
            return false;
        }
        loop.held++;
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public final int fill() throws IOException {
        int room = capacity - buffered;
        if (room <= 0) {
            return 0;
        }
        int n = spliceIn(room);
        if (n > 0) {
            buffered += n;
        }
        return n;
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public final int drain() throws IOException {
        if (buffered == 0) {
            return 0;
        }
        int n = spliceOut(buffered);
        buffered -= n;
        return n;
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public final int buffered() {
        return buffered;
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public final int capacity() {
        return readEnd >= 0 ? capacity : 0;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: an empty pipe goes to the backend's {@link PipePool} (or is closed when the pool is
     * full or off). A pipe counting any byte, also one a binding keeps outside the kernel pipe
     * for a moment, is not empty and stays held.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public final void release() {
        if (readEnd < 0 || buffered > 0) {
            return;
        }
        if (!pool.give(poolSize, readEnd, writeEnd, capacity, requestedSize)) {
            closePipe(readEnd, writeEnd);
        }
        drop();
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public final void close() {
        if (!open) {
            return;
        }
        open = false;
        if (readEnd >= 0 && buffered > 0) {
            buffered = 0; // what it holds can go nowhere: the pipe itself goes, never to the pool
            closePipe(readEnd, writeEnd);
            drop();
        } else {
            release();
        }
    }

    private void drop() {
        readEnd = -1;
        writeEnd = -1;
        loop.held--;
    }

    /**
     * Whether {@link #close()} has not run yet.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true while open
     */
    protected final boolean isOpen() {
        return open;
    }

    /**
     * The state for a subclass's {@code toString}: bytes held of the capacity, or that no pipe is
     * held, and whether closed.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return a short text
     */
    protected final String state() {
        return (readEnd >= 0 ? buffered + "/" + capacity : "no pipe held") + (open ? "" : ", closed");
    }
}
