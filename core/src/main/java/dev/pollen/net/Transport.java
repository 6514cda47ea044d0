package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A stream connection, TCP or Unix domain (asyncio's {@code Transport}): the user writes to it and
 * controls it; it calls its {@link Protocol} with what happens.
 *
 * <h2>Writing</h2>
 * {@link #write(ByteBuffer)} never blocks and never refuses data: it sends what the kernel takes
 * at once and copies the rest into the transport's write buffer, which drains as the socket
 * becomes writable. The caller may reuse its buffer as soon as {@code write} returns. To keep
 * memory bounded, honour flow control: when the buffered bytes pass the high-water mark the
 * protocol's {@link Protocol#pauseWriting()} is called, and {@link Protocol#resumeWriting()} once
 * they are back at the low-water mark (defaults 64 KiB and 16 KiB).
 *
 * <h2>{@code close} versus {@code abort}</h2>
 * <ul>
 *   <li>{@link #close()} is graceful: reading stops at once, everything already written is still
 *       sent, then the socket is closed and {@link Protocol#connectionLost} is called with null.
 *       </li>
 *   <li>{@link #abort()} is immediate: the write buffer is discarded, a TCP connection is reset
 *       (RST, so the peer sees "connection reset" rather than a normal end-of-stream) and closed
 *       at once; {@code connectionLost(null)} follows.</li>
 * </ul>
 * After either, writing throws {@link IllegalStateException}. Nothing written before
 * {@code close()} is lost (unless the connection fails or is aborted meanwhile).
 *
 * <p>When the connection fails (reset by the peer, broken pipe...), the transport closes itself,
 * discards its buffer and reports the error to {@link Protocol#connectionLost(Throwable)}; writes
 * that come after such a failure, before the protocol has heard of it, are silently dropped
 * (asyncio does the same) rather than thrown at unrelated code.
 *
 * <p><b>Threading:</b> loop thread only (the methods that change state check it while the loop
 * runs).
 */
public interface Transport {

    /**
     * Writes bytes: sends what the kernel accepts now, queues a copy of the rest. Advances
     * {@code data}'s position to its limit.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param data the bytes (heap or direct)
     * @throws IllegalStateException if {@link #close()}, {@link #abort()} or {@link #writeEof()}
     *                               was called
     */
    void write(ByteBuffer data);

    /**
     * Gathering write: as {@link #write(ByteBuffer)} for several buffers in order, in one system
     * call when the write buffer is empty (asyncio's {@code writelines}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param data the buffers
     * @throws IllegalStateException as {@link #write(ByteBuffer)}
     */
    void write(ByteBuffer... data);

    /**
     * Half-closes: sends end-of-stream (FIN) after the queued bytes; the transport still reads.
     * Idempotent.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    void writeEof();

    /**
     * Whether {@link #writeEof()} is supported (always true for TCP and Unix stream sockets).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true
     */
    boolean canWriteEof();

    /**
     * Closes gracefully (see the class comment): stops reading, flushes the write buffer, closes,
     * then calls {@code connectionLost(null)}. Idempotent.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    void close();

    /**
     * Closes at once (see the class comment): discards the write buffer, resets the connection,
     * then calls {@code connectionLost(null)}. Also cuts short a {@link #close()} that is still
     * flushing. Idempotent.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    void abort();

    /**
     * Whether the transport is closing or closed (by the user, end-of-stream, or a failure).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true once {@code close}, {@code abort} or a failure happened
     */
    boolean isClosing();

    /**
     * Sets the idle timeout: when no byte has been read from or written to the socket for this
     * long, the connection is reset and closed, and the protocol's
     * {@link Protocol#connectionLost(Throwable)} gets a {@link java.net.SocketTimeoutException}
     * that names both addresses and the timeout (a stream's reads and {@code drain} then throw
     * it). Queued bytes are discarded, as after any failure.
     *
     * <p>"Idle" counts bytes that actually moved through the socket, whatever the reason they
     * did not: a silent peer, a peer that stopped reading (our writes stall), or this side having
     * paused reading. It protects a server from peers that connect and send nothing, and a
     * proxy from peers that stall forever. The idle period starts again now; the default comes
     * from {@link NetOptions#idleTimeout()} (none). Cost: one loop timer per idle period and one
     * clock read per read or write while a timeout is set; nothing when it is not.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param timeout a positive duration, or null to turn the timeout off
     * @throws IllegalArgumentException if the duration is zero, negative or longer than 100 years
     */
    void setIdleTimeout(Duration timeout);

    /**
     * The idle timeout (see {@link #setIdleTimeout(Duration)}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the timeout, or null for none
     */
    Duration idleTimeout();

    /**
     * Stops reading: {@link Protocol#dataReceived} is not called until
     * {@link #resumeReading()}; the kernel's receive buffer fills and TCP flow control slows the
     * peer. Idempotent.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    void pauseReading();

    /**
     * Resumes reading after {@link #pauseReading()}. Idempotent.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    void resumeReading();

    /**
     * Whether the transport reads (not paused, not closing, no end-of-stream yet).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true while data may be delivered
     */
    boolean isReading();

    /**
     * Sets the write buffer's water marks: above {@code high} bytes the protocol is paused, at or
     * below {@code low} it is resumed. {@code high == 0} pauses whenever anything is buffered.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param high the high-water mark in bytes (default 64 KiB)
     * @param low  the low-water mark in bytes, {@code 0 <= low <= high} (default 16 KiB)
     * @throws IllegalArgumentException if the marks are out of range
     */
    void setWriteBufferLimits(int high, int low);

    /**
     * The high-water mark.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return bytes
     */
    int writeBufferHighWater();

    /**
     * The low-water mark.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return bytes
     */
    int writeBufferLowWater();

    /**
     * How many bytes are buffered, waiting for the socket to become writable.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the write buffer's size in bytes
     */
    long writeBufferSize();

    /**
     * The local address.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the socket's address ({@link java.net.InetSocketAddress} or
     *         {@link java.net.UnixDomainSocketAddress}), or null if unknown
     */
    SocketAddress localAddress();

    /**
     * The peer's address.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the peer's address, or null if unknown
     */
    SocketAddress peerAddress();

    /**
     * The protocol this transport calls.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the protocol
     */
    Protocol getProtocol();

    /**
     * Switches the protocol this transport calls from now on (asyncio's {@code set_protocol};
     * {@link Net#pipe} uses it). The new protocol's {@code connectionMade} is not called.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param protocol the new protocol
     */
    void setProtocol(Protocol protocol);

    /**
     * The loop this transport runs on.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the loop
     */
    EventLoop loop();
}
