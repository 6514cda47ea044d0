package dev.pollen.spi;

import java.io.IOException;

/**
 * A kernel pipe that moves bytes from one {@link StreamSocket} to another without copying them
 * through user space: Linux {@code splice(2)} from the source socket into the pipe, and from the
 * pipe into the destination socket (HAProxy's technique). Made by
 * {@link StreamSocket#openSplice(StreamSocket)}; the two sockets stay owned by their transports,
 * the pipe only borrows their descriptors.
 *
 * <p><b>Held only while in use.</b> The object is cheap and holds no kernel pipe when made: the
 * caller {@link #reserve()}s one before a {@link #fill()} and {@link #release()}s it once it is
 * empty again, so an idle direction (or one that never carries bulk traffic) costs no
 * descriptors. A reservation can be refused (the backend's cap on pipes, descriptors running
 * out); the caller then copies those bytes instead, which is safe because an unreserved pipe
 * holds nothing.
 *
 * <p>The pipe is the tail of the destination's write buffer: it holds at most
 * {@link #capacity()} bytes that were read from the source and not yet written to the
 * destination. The caller keeps order (nothing written to the destination by other means while
 * {@link #buffered()} is above zero) and flow control (it stops asking the source for readiness
 * while the pipe holds bytes the destination cannot take). No call blocks.
 *
 * <p><b>Threading:</b> loop thread only (the loop of both sockets).
 */
public interface SplicePipe {

    /**
     * Makes sure a kernel pipe is held, taking one if none is (from the backend's pool or a new
     * one). Holding one already: true at once.
     *
     * @return true if {@link #fill()} may be called; false if no kernel pipe can be had now (the
     *         backend's cap, {@code pipe2} failing, or the pipe was closed): copy instead, and
     *         ask again later
     */
    boolean reserve();

    /**
     * Moves what the source has, up to the room left in the pipe, into the pipe. Only while
     * {@link #reserve() reserved}.
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
     * @return the count, 0 to {@link #capacity()}; 0 while no kernel pipe is held
     */
    int buffered();

    /**
     * The most bytes the held kernel pipe holds.
     *
     * @return bytes; 0 while no kernel pipe is held
     */
    int capacity();

    /**
     * Gives the kernel pipe back (to the backend's pool, or closes it) if one is held and it is
     * empty; otherwise does nothing. The next {@link #fill()} needs a {@link #reserve()} again.
     */
    void release();

    /**
     * Releases the pipe for good, discarding what it still holds; the sockets stay open.
     * Idempotent; after it {@link #reserve()} answers false and {@link #fill()} and
     * {@link #drain()} must not be called.
     */
    void close();
}
