package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The reading half of a stream connection (asyncio's {@code StreamReader}): bytes from the
 * transport collect in a buffer and the read methods take them out, suspending the calling task
 * while there is not enough.
 *
 * <p><b>Limit and flow control.</b> The buffer's limit (default 64 KiB) bounds how long a line or
 * a {@link #readUntil} chunk may be. When more than twice the limit is buffered, the transport's
 * reading is paused until the buffer is back at the limit, so a fast peer cannot fill memory.
 * While a {@link #readUntil} or {@link #readLine} waits for its separator, reading pauses as soon
 * as the buffer holds more than the limit plus the separator (the search can only fail then), so
 * a peer that never sends the separator makes the reader hold at most that plus one read of the
 * transport (64 KiB) before the read fails with {@link LimitOverrunException}.
 *
 * <p><b>Errors.</b> When the connection fails, the error is stored and every read throws it at
 * once, even if bytes are still buffered (as asyncio). A clean end-of-stream makes reads return
 * what is left, then an empty array (or an {@link IncompleteReadException} where a length or a
 * separator was required).
 *
 * <p>Only one task may wait in a read at a time; a second one gets an
 * {@link IllegalStateException} (as asyncio's RuntimeError).
 *
 * <p><b>Threading:</b> loop thread only; the read methods must run inside a task (they await).
 */
public final class StreamReader {

    private static final byte[] EMPTY = new byte[0];

    private final EventLoop loop;
    private final int limit;
    private byte[] buf = EMPTY;
    private int start;
    private int end;
    private boolean eof;
    private Throwable exception;
    private Future<Void> waiter;
    private Transport transport;
    private boolean paused;
    /**
     * While a {@code readUntil} waits: the buffered size past which it can only fail (the limit
     * plus the separator), so reading pauses there instead of at twice the limit; otherwise 0.
     */
    private long searchBound;

    /**
     * A reader with the default limit (64 KiB). Connections make their own; create one yourself
     * to feed it by hand (tests, adapters).
     *
     * <p><b>Threading:</b> any thread; use it on the loop's thread.
     *
     * @param loop the loop whose tasks read from it
     */
    public StreamReader(EventLoop loop) {
        this(loop, NetOptions.DEFAULT_STREAM_LIMIT);
    }

    /**
     * A reader with the given limit.
     *
     * <p><b>Threading:</b> any thread; use it on the loop's thread.
     *
     * @param loop  the loop whose tasks read from it
     * @param limit the buffer limit in bytes, positive
     * @throws IllegalArgumentException if {@code limit <= 0}
     */
    public StreamReader(EventLoop loop, int limit) {
        this.loop = Objects.requireNonNull(loop, "loop");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        this.limit = limit;
    }

    void setTransport(Transport t) {
        this.transport = t;
    }

    /** A TLS transport took over from the raw one: it is the one to pause from now on. */
    void replaceTransport(Transport t) {
        this.transport = t;
        if (paused) {
            t.pauseReading();
        }
    }

    // ------------------------------------------------------------------ feeding

    /**
     * Appends bytes to the buffer and wakes a waiting read. Pauses the transport's reading when
     * more than twice the limit is buffered.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param data the bytes (consumed)
     * @throws IllegalStateException after {@link #feedEof()}
     */
    public void feedData(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        if (eof) {
            throw new IllegalStateException("feedData after feedEof");
        }
        int n = data.remaining();
        if (n == 0) {
            return;
        }
        ensureSpace(n);
        data.get(buf, end, n);
        end += n;
        wakeWaiter();
        long buffered = end - start;
        if (transport != null && !paused
                && (buffered > 2L * limit || (searchBound > 0 && buffered > searchBound))) {
            paused = true;
            transport.pauseReading();
        }
    }

    /**
     * Appends bytes, as {@link #feedData(ByteBuffer)}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param data the bytes
     */
    public void feedData(byte[] data) {
        feedData(ByteBuffer.wrap(Objects.requireNonNull(data, "data")));
    }

    /**
     * Marks end-of-stream: no more data will come. Wakes a waiting read.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void feedEof() {
        eof = true;
        wakeWaiter();
    }

    /**
     * Stores an error that every later read throws, and wakes a waiting read with it.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param error the error
     */
    public void setException(Throwable error) {
        this.exception = Objects.requireNonNull(error, "error");
        wakeWaiter();
    }

    /**
     * The stored error.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the error, or null
     */
    public Throwable exception() {
        return exception;
    }

    private void ensureSpace(int n) {
        if (buf.length - end >= n) {
            return;
        }
        int live = end - start;
        if (buf.length - live >= n && start > 0 && live <= buf.length / 2) {
            System.arraycopy(buf, start, buf, 0, live);
        } else {
            buf = Arrays.copyOfRange(buf, start, start + Math.max(buf.length * 2, live + n));
        }
        start = 0;
        end = live;
    }

    private void wakeWaiter() {
        Future<Void> w = waiter;
        if (w != null && !w.isDone()) {
            w.setResult(null);
        }
    }

    private void maybeResumeTransport() {
        if (paused && end - start <= limit) {
            paused = false;
            transport.resumeReading();
        }
    }

    /** Suspends until data, EOF or an error is fed. */
    private void waitForData(String method) {
        if (waiter != null) {
            throw new IllegalStateException(method + "() called while another task is already "
                    + "waiting for incoming data on this StreamReader");
        }
        if (eof) {
            throw new IllegalStateException(method + ": waiting for data after end-of-stream");
        }
        if (paused) {
            // The task wants data the buffer does not have, so reading must go on.
            paused = false;
            transport.resumeReading();
        }
        Future<Void> w = loop.createFuture();
        waiter = w;
        try {
            w.await();
        } finally {
            waiter = null;
        }
    }

    private void throwIfFailed() throws IOException {
        Throwable e = exception;
        if (e == null) {
            return;
        }
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new IOException(e);
    }

    private byte[] take(int n) {
        byte[] out = Arrays.copyOfRange(buf, start, start + n);
        start += n;
        if (start == end) {
            start = 0;
            end = 0;
        }
        maybeResumeTransport();
        return out;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads up to {@code n} bytes (asyncio's {@code read(n)}): waits until at least one byte or
     * end-of-stream is there, then returns what is buffered, at most {@code n} bytes. With
     * {@code n < 0} reads until end-of-stream and returns everything. Returns an empty array at
     * end-of-stream, and for {@code n == 0}.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param n the most bytes to return, or negative for "all until end-of-stream"
     * @return the bytes
     * @throws IOException the connection's error
     */
    public byte[] read(int n) throws IOException {
        throwIfFailed();
        if (n == 0) {
            return EMPTY;
        }
        if (n < 0) {
            while (!eof) {
                waitForData("read");
                throwIfFailed();
            }
            return take(end - start);
        }
        if (end == start && !eof) {
            waitForData("read");
            throwIfFailed();
        }
        return take(Math.min(n, end - start));
    }

    /**
     * Reads exactly {@code n} bytes (asyncio's {@code readexactly}).
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param n how many bytes, at least 0
     * @return exactly {@code n} bytes
     * @throws IncompleteReadException if end-of-stream comes first; it carries the bytes that
     *                                 were read (they are consumed)
     * @throws IOException             the connection's error
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public byte[] readExactly(int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("readExactly size can not be less than zero, got "
                    + n);
        }
        throwIfFailed();
        if (n == 0) {
            return EMPTY;
        }
        while (end - start < n) {
            if (eof) {
                byte[] partial = take(end - start);
                throw new IncompleteReadException(partial, n);
            }
            waitForData("readExactly");
            throwIfFailed();
        }
        return take(n);
    }

    /**
     * Reads one line, up to and including {@code \n} (asyncio's {@code readline}). At
     * end-of-stream returns the partial last line (empty when nothing is left).
     *
     * <p>A line longer than the limit throws {@link LimitOverrunException}; as asyncio does, the
     * over-long data is dropped from the buffer (up to and including the separator when it was
     * found), so the next read starts after it.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @return the line, with its {@code \n} unless it is the last, unterminated one
     * @throws LimitOverrunException if the line is longer than the limit
     * @throws IOException           the connection's error
     */
    public byte[] readLine() throws IOException {
        try {
            return readUntil(NEWLINE);
        } catch (IncompleteReadException e) {
            return e.partial();
        } catch (LimitOverrunException e) {
            if (startsWith(e.consumed(), NEWLINE)) {
                start += e.consumed() + 1;
            } else {
                start = end;
            }
            if (start >= end) {
                start = 0;
                end = 0;
            }
            maybeResumeTransport();
            throw e;
        }
    }

    private static final byte[] NEWLINE = {'\n'};

    /**
     * Reads up to and including {@code separator} (asyncio's {@code readuntil}).
     *
     * <p>When the data before the separator (or, while still looking, the buffered data) is
     * longer than the limit, throws {@link LimitOverrunException} and <em>leaves the data in the
     * buffer</em>, as asyncio does, so it can still be read with {@link #read(int)}.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param separator a non-empty separator
     * @return the bytes up to and including the separator
     * @throws IncompleteReadException if end-of-stream comes before the separator; it carries
     *                                 everything that was buffered (now consumed)
     * @throws LimitOverrunException   past the limit (data left readable)
     * @throws IOException             the connection's error
     * @throws IllegalArgumentException if the separator is empty
     */
    public byte[] readUntil(byte[] separator) throws IOException {
        Objects.requireNonNull(separator, "separator");
        int sepLen = separator.length;
        if (sepLen == 0) {
            throw new IllegalArgumentException("separator should be at least one-byte string");
        }
        throwIfFailed();
        int offset = 0; // where the search resumes, relative to start
        int found;
        while (true) {
            int buffered = end - start;
            if (buffered - offset >= sepLen) {
                found = indexOf(separator, offset);
                if (found >= 0) {
                    break;
                }
                // Resume where a separator split across two chunks could begin.
                offset = buffered + 1 - sepLen;
                if (offset > limit) {
                    throw new LimitOverrunException("Separator is not found, and chunk exceed the "
                            + "limit of " + limit + " bytes", offset);
                }
            }
            if (eof) {
                byte[] partial = take(end - start);
                throw new IncompleteReadException(partial, -1);
            }
            // Past limit + separator this search can only fail: pause reading there, so a peer
            // that never sends the separator makes us buffer at most that plus one read.
            searchBound = (long) limit + sepLen;
            try {
                waitForData("readUntil");
            } finally {
                searchBound = 0;
            }
            throwIfFailed();
        }
        if (found > limit) {
            throw new LimitOverrunException("Separator is found, but chunk is longer than the "
                    + "limit of " + limit + " bytes", found);
        }
        return take(found + sepLen);
    }

    /** Index of {@code sep} in the buffer at or after {@code from}, relative to start; or -1. */
    private int indexOf(byte[] sep, int from) {
        byte first = sep[0];
        int last = end - sep.length;
        outer:
        for (int i = start + from; i <= last; i++) {
            if (buf[i] != first) {
                continue;
            }
            for (int j = 1; j < sep.length; j++) {
                if (buf[i + j] != sep[j]) {
                    continue outer;
                }
            }
            return i - start;
        }
        return -1;
    }

    private boolean startsWith(int at, byte[] sep) {
        if (end - start - at < sep.length) {
            return false;
        }
        for (int j = 0; j < sep.length; j++) {
            if (buf[start + at + j] != sep[j]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether end-of-stream was fed and the buffer is empty (asyncio's {@code at_eof}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true when nothing more can be read
     */
    public boolean atEof() {
        return eof && end == start;
    }

    /**
     * The buffer limit.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return bytes
     */
    public int limit() {
        return limit;
    }

    /**
     * How many bytes are buffered and not read yet.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return bytes
     */
    public int buffered() {
        return end - start;
    }

    @Override
    public String toString() {
        return "StreamReader[" + (end - start) + " bytes" + (eof ? ", eof" : "")
                + (limit != NetOptions.DEFAULT_STREAM_LIMIT ? ", limit=" + limit : "")
                + (exception != null ? ", exception=" + exception : "")
                + (waiter != null ? ", waiter" : "") + (paused ? ", paused" : "") + "]";
    }
}
