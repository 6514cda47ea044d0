package dev.pollen.net;

import java.nio.ByteBuffer;

/**
 * The callbacks of a stream connection (asyncio's {@code Protocol}), implemented by the user and
 * called by its {@link Transport}. Every method has an empty default, so implement only what you
 * need.
 *
 * <p>Order: {@link #connectionMade} once; then any number of {@link #dataReceived}; then at most
 * one {@link #eofReceived}; then {@link #connectionLost} exactly once (also when the connection is
 * closed by the user, and when it fails). {@link #pauseWriting}/{@link #resumeWriting} may come
 * between {@code connectionMade} and {@code connectionLost}, always paired, pause first.
 *
 * <p>A callback that throws is reported to the loop's exception handler and the transport is
 * aborted, so a broken protocol never keeps a half-working connection: {@link #connectionLost}
 * follows with what it threw, and for a client connection the connection's future fails with it.
 * asyncio 3.13 does the same for {@code data_received} and {@code eof_received}, but only logs a
 * {@code connection_made} that raised and keeps that connection open; Pollen aborts it too (a
 * protocol whose set-up failed is in no state to serve; see {@code docs/asyncio.md}).
 * {@link #pauseWriting}/{@link #resumeWriting} that throw are reported and the connection goes
 * on, as in asyncio.
 *
 * <p><b>Threading:</b> every callback runs on the transport's loop thread.
 */
public interface Protocol {

    /**
     * The connection is established. Keep the transport to write to it.
     *
     * <p><b>Threading:</b> called on the loop thread.
     *
     * @param transport the connection's transport
     */
    default void connectionMade(Transport transport) {
    }

    /**
     * Bytes arrived.
     *
     * <p><b>The buffer is only valid during this call</b>: it is the loop's reused read buffer
     * and will be overwritten by the next read of any connection on this loop. Consume it, copy
     * what you need to keep, or pass it to {@link Transport#write(ByteBuffer)} (which copies what
     * it cannot send at once). Its position is at the first new byte and its limit after the
     * last; moving them is harmless.
     *
     * <p><b>Threading:</b> called on the loop thread.
     *
     * @param data the bytes received
     */
    default void dataReceived(ByteBuffer data) {
    }

    /**
     * The peer sent end-of-stream (it called {@code shutdown(SHUT_WR)}, {@code writeEof()} or
     * closed). No more data will arrive, but this side may still write.
     *
     * <p>As in asyncio, the return value decides what happens next: {@code false} (the default)
     * closes the transport (after flushing what is queued); {@code true} keeps it open so this
     * side can finish writing and close it itself (a half-closed connection).
     *
     * <p><b>Threading:</b> called on the loop thread.
     *
     * @return true to keep the transport open
     */
    default boolean eofReceived() {
        return false;
    }

    /**
     * The connection is closed. Called exactly once, in a later loop step than the call that
     * closed it.
     *
     * <p><b>Threading:</b> called on the loop thread.
     *
     * @param cause null for a clean close (by {@link Transport#close()},
     *              {@link Transport#abort()} or end-of-stream), otherwise the error that broke the
     *              connection (e.g. a {@link java.net.SocketException} for a connection reset)
     */
    default void connectionLost(Throwable cause) {
    }

    /**
     * The transport's write buffer went over its high-water mark: stop producing data until
     * {@link #resumeWriting()} (see {@link Transport#setWriteBufferLimits(int, int)}).
     *
     * <p><b>Threading:</b> called on the loop thread.
     */
    default void pauseWriting() {
    }

    /**
     * The transport's write buffer drained to its low-water mark: producing may go on.
     *
     * <p><b>Threading:</b> called on the loop thread.
     */
    default void resumeWriting() {
    }
}
