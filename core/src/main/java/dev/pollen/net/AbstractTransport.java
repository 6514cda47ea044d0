package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * What the stream and datagram transports share: the loop and its net state, the
 * read-pause/closing/lost flags, the write-buffer water marks with the protocol's pause/resume
 * bookkeeping, guarded protocol calls and the scheduling of {@code connectionLost}. Each subclass
 * keeps its socket, queue and kernel-specific I/O.
 *
 * <p><b>Threading:</b> loop thread only.
 */
abstract class AbstractTransport extends LoopResource {

    final EventLoop loop;
    final NetLoopState net;
    final ByteBuffer readBuffer;
    /** "Transport" or "DatagramTransport": the prefix of thread-check and error messages. */
    private final String kind;
    /** What a failed protocol call does, for its error message ("aborting the connection"). */
    private final String failureAction;
    SocketAddress local;
    SocketAddress peer;
    int high;
    int low;
    boolean readPaused;
    boolean protocolPaused;
    boolean closing;
    boolean lost;

    AbstractTransport(EventLoop loop, NetLoopState net, NetOptions options, String kind,
            String failureAction) {
        this.loop = loop;
        this.net = net;
        this.readBuffer = net.readBuffer;
        this.kind = kind;
        this.failureAction = failureAction;
        this.high = options.writeBufferHigh();
        this.low = options.writeBufferLow();
    }

    // ------------------------------------------------------------------ subclass hooks

    /** Discards what is queued, closes the socket and schedules {@code connectionLost(cause)}. */
    abstract void forceClose(Throwable cause);

    /** Calls the protocol's {@code connectionMade}. */
    abstract void protocolConnectionMade();

    /** Calls the protocol's {@code pauseWriting}. */
    abstract void protocolPauseWriting();

    /** Calls the protocol's {@code resumeWriting}. */
    abstract void protocolResumeWriting();

    /** Calls the protocol's {@code connectionLost}. */
    abstract void protocolConnectionLost(Throwable cause);

    /** Runs after {@code connectionLost}, whether or not it threw. */
    void afterConnectionLost() {
    }

    /** {@link #readPaused} changed: update the interest mask. */
    abstract void readingChanged();

    /** The water marks changed (and were checked). */
    void limitsChanged() {
    }

    // ------------------------------------------------------------------ shared logic

    /** An I/O handler must never throw into the poller: report a bug here or in a backend. */
    final void unexpectedError(Throwable t) {
        loop.callExceptionHandler(new ExceptionContext("unexpected error in " + this, t, this));
        forceClose(t);
    }

    /**
     * Calls the protocol's {@code connectionMade}.
     *
     * @return null, or what it threw (the transport is then closed)
     */
    final Throwable callConnectionMade() {
        try {
            protocolConnectionMade();
            return null;
        } catch (Throwable t) {
            protocolFailed("connectionMade", t);
            return t;
        }
    }

    /** A protocol callback threw: report it and force the transport closed. */
    final void protocolFailed(String callback, Throwable t) {
        loop.callExceptionHandler(new ExceptionContext("Fatal error: protocol." + callback
                + "() call failed; " + failureAction, t, this));
        forceClose(t);
    }

    /** Pauses the protocol's writing when {@code buffered} went above the high-water mark. */
    final void maybePauseProtocol(long buffered) {
        if (!protocolPaused && buffered > high) {
            protocolPaused = true;
            try {
                protocolPauseWriting();
            } catch (Throwable t) {
                loop.callExceptionHandler(new ExceptionContext("protocol.pauseWriting() failed",
                        t, this));
            }
        }
    }

    /**
     * Resumes the protocol's writing when {@code buffered} fell to the low-water mark.
     *
     * @return whether {@code resumeWriting} was called
     */
    final boolean maybeResumeProtocol(long buffered) {
        if (!protocolPaused || buffered > low) {
            return false;
        }
        protocolPaused = false;
        try {
            protocolResumeWriting();
        } catch (Throwable t) {
            loop.callExceptionHandler(new ExceptionContext("protocol.resumeWriting() failed",
                    t, this));
        }
        return true;
    }

    /** Marks the transport lost and schedules {@code connectionLost(cause)} on the loop. */
    final void scheduleLost(Throwable cause) {
        lost = true;
        try {
            loop.callSoon(() -> callConnectionLost(cause));
        } catch (IllegalStateException loopClosed) {
            // the loop is closed: no callback can run any more
        }
    }

    private void callConnectionLost(Throwable cause) {
        try {
            protocolConnectionLost(cause);
        } catch (Throwable t) {
            loop.callExceptionHandler(new ExceptionContext("protocol.connectionLost() failed",
                    t, this));
        } finally {
            afterConnectionLost();
        }
    }

    /** The argument checks of a gathering write: no null array, no null buffer. */
    static void requireBuffers(ByteBuffer[] data) {
        java.util.Objects.requireNonNull(data, "data");
        for (int i = 0; i < data.length; i++) {
            java.util.Objects.requireNonNull(data[i], "data[" + i + "]");
        }
    }

    /** Marks every buffer consumed: what a dropped write does to the caller's buffers. */
    static void consumeAll(ByteBuffer[] data) {
        for (ByteBuffer b : data) {
            b.position(b.limit());
        }
    }

    // ------------------------------------------------------------------ shared public API

    /**
     * Sets the write-buffer water marks.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void setWriteBufferLimits(int high, int low) {
        loop.checkThread(kind + ".setWriteBufferLimits");
        WaterMarks.check(high, low);
        this.high = high;
        this.low = low;
        limitsChanged();
    }

    /**
     * Stops reading until {@link #resumeReading}.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void pauseReading() {
        loop.checkThread(kind + ".pauseReading");
        if (closing || readPaused) {
            return;
        }
        readPaused = true;
        readingChanged();
    }

    /**
     * Resumes reading after {@link #pauseReading}.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void resumeReading() {
        loop.checkThread(kind + ".resumeReading");
        if (closing || !readPaused) {
            return;
        }
        readPaused = false;
        readingChanged();
    }

    /**
     * Whether close or abort was called or the connection was lost.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public boolean isClosing() {
        return closing;
    }

    /**
     * The local address (null while unknown).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public SocketAddress localAddress() {
        return local;
    }

    /**
     * The peer's address (null while unknown or not connected).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public SocketAddress peerAddress() {
        return peer;
    }

    /**
     * The owning loop.
     *
     * <p><b>Threading:</b> any thread.
     */
    public EventLoop loop() {
        return loop;
    }
}
