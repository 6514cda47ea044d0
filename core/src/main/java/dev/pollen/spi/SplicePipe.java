package dev.pollen.spi;

import java.io.IOException;

/**
 * A kernel pipe that moves bytes from one {@link StreamSocket} to another without copying them
 * through user space: Linux {@code splice(2)} from the source socket into the pipe, and from the
 * pipe into the destination socket (HAProxy's technique). Made by
 * {@link StreamSocket#openSplice(StreamSocket)}; the two sockets stay owned by their transports,
 * the pipe only borrows their descriptors.
 *
 * <p>The pipe is the tail of the destination's write buffer: it holds at most
 * {@link #capacity()} bytes that were read from the source and not yet written to the
 * destination. The caller keeps order (nothing written to the destination by other means while
 * {@link #buffered()} is above zero) and flow control (it stops asking the source for readiness
 * while the pipe holds bytes the destination cannot take). Neither call blocks.
 *
 * <p><b>Threading:</b> loop thread only (the loop of both sockets).
 */
public interface SplicePipe {

    /**
     * Moves what the source has, up to the room left in the pipe, into the pipe.
     *
     * @return bytes moved (more than 0); 0 if none now (the source has nothing ready, or the pipe
     *         is full); -1 at the source's end-of-stream
     * @throws IOException if the source connection failed (e.g. a reset), as its read would
     */
    int fill() throws IOException;

    /**
     * Moves what the pipe holds, as far as the destination takes it now, into the destination.
     *
     * @return bytes moved; 0 if the destination's send buffer is full or the pipe is empty
     * @throws IOException if the destination connection failed (e.g. EPIPE, a reset), as its write
     *                     would
     */
    int drain() throws IOException;

    /**
     * Bytes in the pipe: read from the source, not yet written to the destination.
     *
     * @return the count, 0 to {@link #capacity()}
     */
    int buffered();

    /**
     * The most bytes the pipe holds.
     *
     * @return bytes
     */
    int capacity();

    /**
     * Releases the pipe, discarding what it still holds; the sockets stay open. Idempotent; after
     * it {@link #fill()} and {@link #drain()} must not be called.
     */
    void close();
}
