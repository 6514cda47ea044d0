package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Two transports forwarded into each other, made by {@link Net#pipe(Transport, Transport)}: the
 * core of a TCP proxy.
 *
 * <ul>
 *   <li><b>Flow control.</b> When one side's write buffer passes its high-water mark, reading
 *       from the other side pauses until it drains to the low-water mark. So each direction
 *       holds at most the high-water mark plus one read (64 KiB) in memory, whatever the speeds
 *       of the two peers.</li>
 *   <li><b>Half-close.</b> End-of-stream from one side is forwarded as
 *       {@link Transport#writeEof()} to the other, which keeps sending the other way; when both
 *       directions have ended, both transports are closed.</li>
 *   <li><b>Errors.</b> When one side fails, the other is aborted (so its peer sees a reset, as it
 *       would without the proxy); when one side is closed cleanly, the other is closed
 *       gracefully.</li>
 * </ul>
 *
 * <p><b>Splicing.</b> When both transports are plain (not TLS) stream sockets of a backend that
 * can move bytes between them inside the kernel (the POSIX socket layer on Linux: the epoll,
 * io_uring and kqueue-over-libkqueue backends), a direction whose traffic proves bulk (a read
 * fills the 64 KiB read buffer) switches from copying to socket → kernel pipe → socket with
 * {@code splice(2)}, and those bytes never enter Java memory ({@link #isSpliced()}). Small
 * request/response traffic keeps copying, and a direction holds a kernel pipe only while bytes
 * move through it, so idle connections hold none. The rules above hold unchanged: bytes copied
 * or queued before (a proxy's early bytes) go first; a direction holds at most the write
 * buffer's high-water mark plus the kernel pipe's capacity (64 KiB by default), which counts in
 * the destination's {@link Transport#writeBufferSize()}, and reading the source stops while the
 * destination cannot take it; end-of-stream is forwarded once the pipe has drained. Where a pipe
 * cannot be had (another backend, TLS, the backend's cap on pipes, or descriptors running out)
 * the direction copies; the connection never fails for it. The system property
 * {@code pollen.pipe.splice=false} makes every pipe copy, for comparison.
 *
 * <p>The pipe takes over both transports' protocols ({@link Transport#setProtocol}) and their
 * reading. Data a transport delivered before the pipe existed went to its old protocol: pause
 * reading on a new connection (in {@code connectionMade}) until it is piped; the pipe resumes it.
 *
 * <p><b>Threading:</b> loop thread only, except {@link #loop()}.
 */
public final class Pipe {

    private final EventLoop loop;
    private final Side a;
    private final Side b;
    private final Future<Void> closed;
    /** The splice flows, a-to-b then b-to-a, or null when the pipe can only copy. */
    private final SpliceFlow[] splice;
    private Throwable error;

    Pipe(Transport ta, Transport tb) {
        Objects.requireNonNull(ta, "a");
        Objects.requireNonNull(tb, "b");
        if (ta == tb) {
            throw new IllegalArgumentException("pipe: a and b are the same transport " + ta);
        }
        if (ta.loop() != tb.loop()) {
            throw new IllegalArgumentException("pipe: the transports run on different loops ("
                    + ta.loop().name() + ", " + tb.loop().name() + "); both must be on one loop");
        }
        if (ta.isClosing() || tb.isClosing()) {
            throw new IllegalArgumentException("pipe: both transports must be open, but "
                    + (ta.isClosing() ? "a" : "b") + " is closing: " + (ta.isClosing() ? ta : tb));
        }
        this.loop = ta.loop();
        loop.checkThread("Net.pipe");
        this.closed = loop.createFuture();
        this.a = new Side(ta, tb);
        this.b = new Side(tb, ta);
        a.peer = b;
        b.peer = a;
        ta.setProtocol(a);
        tb.setProtocol(b);
        this.splice = SpliceFlow.start(ta, tb);
        // A side whose write buffer is already over its mark must hold the other side back.
        a.applyInitialFlowControl();
        b.applyInitialFlowControl();
    }

    /**
     * A future completed (normally) when both transports are closed, however that happened;
     * {@link #error()} then tells whether one side failed.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return a future of the transports' loop
     */
    public Future<Void> whenClosed() {
        return closed;
    }

    /**
     * The first error that broke a side, or null if every close was clean.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the error or null
     */
    public Throwable error() {
        return error;
    }

    /**
     * Bytes forwarded from {@code a} to {@code b} so far.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the byte count
     */
    public long bytesAtoB() {
        return splice == null ? a.forwarded : a.forwarded + splice[0].moved;
    }

    /**
     * Bytes forwarded from {@code b} to {@code a} so far.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the byte count
     */
    public long bytesBtoA() {
        return splice == null ? b.forwarded : b.forwarded + splice[1].moved;
    }

    /**
     * Whether some of the bytes forwarded so far, in either direction, moved with
     * {@code splice(2)} through a kernel pipe (see the class comment) rather than through Java
     * buffers. False until a direction's traffic proves bulk; once true, it stays true.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true if the pipe has spliced
     */
    public boolean isSpliced() {
        return splice != null && (splice[0].moved > 0 || splice[1].moved > 0);
    }

    /**
     * Tells the pipe that {@code side} already reached end-of-stream before the pipe existed
     * (its old protocol's {@link Protocol#eofReceived()} returned true, so the transport reads no
     * more and the pipe would never hear of it): the pipe forwards it to the other transport now,
     * as if {@code side} had just delivered it. A proxy that reads a client while its upstream
     * connects needs this when the client half-closes early (sends a request, then
     * {@code shutdown(SHUT_WR)}). Idempotent.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param side one of the pipe's two transports
     * @throws IllegalArgumentException if {@code side} is not one of them
     */
    public void endOfStreamReceived(Transport side) {
        loop.checkThread("Pipe.endOfStreamReceived");
        Side s = side == a.self ? a : side == b.self ? b : null;
        if (s == null) {
            throw new IllegalArgumentException("pipe: " + side + " is not one of this pipe's "
                    + "transports (" + a.self + ", " + b.self + ")");
        }
        if (!s.eof && !s.lost) {
            s.eofReceived();
        }
    }

    /**
     * Closes both transports gracefully (what is buffered is still delivered).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void close() {
        a.self.close();
        b.self.close();
    }

    /**
     * Aborts both transports.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void abort() {
        a.self.abort();
        b.self.abort();
    }

    /**
     * The loop of the transports.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the loop
     */
    public EventLoop loop() {
        return loop;
    }

    /** The protocol of one transport: forwards what it reads into the other. */
    private final class Side implements Protocol {
        final Transport self;
        final Transport other;
        Side peer;
        long forwarded;
        boolean eof;
        boolean lost;

        Side(Transport self, Transport other) {
            this.self = self;
            this.other = other;
        }

        void applyInitialFlowControl() {
            if (self.writeBufferSize() > self.writeBufferHighWater()) {
                other.pauseReading();
            } else {
                other.resumeReading();
            }
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            forwarded += data.remaining();
            if (!other.isClosing()) {
                other.write(data);
            }
        }

        @Override
        public boolean eofReceived() {
            eof = true;
            if (!other.isClosing()) {
                if (other.canWriteEof()) {
                    other.writeEof();
                } else {
                    other.close();
                }
            }
            if (peer.eof) {
                self.close();
                other.close();
            }
            return true; // keep this side open: the other direction may still be flowing
        }

        @Override
        public void connectionLost(Throwable cause) {
            lost = true;
            if (cause != null && error == null) {
                error = cause;
            }
            if (!other.isClosing()) {
                if (cause != null) {
                    other.abort();
                } else {
                    other.close();
                }
            }
            if (peer.lost && !closed.isDone()) {
                closed.setResult(null);
            }
        }

        @Override
        public void pauseWriting() {
            other.pauseReading(); // our buffer is full: stop taking data from the other side
        }

        @Override
        public void resumeWriting() {
            other.resumeReading();
        }
    }

    @Override
    public String toString() {
        return "Pipe[" + a.self + " <-> " + b.self + "]";
    }
}
