package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A UDP endpoint (asyncio's {@code DatagramTransport}).
 *
 * <p>Sending never blocks: a datagram the kernel cannot take now is copied into a queue and sent
 * when the socket becomes writable, with the same water marks and
 * {@link DatagramProtocol#pauseWriting()} / {@code resumeWriting()} as stream transports.
 * Send errors go to {@link DatagramProtocol#errorReceived(Exception)}.
 *
 * <p><b>Threading:</b> loop thread only.
 */
public interface DatagramTransport {

    /**
     * Sends {@code data} as one datagram to {@code target}. Advances {@code data}'s position to
     * its limit.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param data   the payload
     * @param target the destination; null (or the peer itself) on a connected endpoint
     * @throws IllegalArgumentException if the endpoint is connected and {@code target} is
     *                                  another address, or it is not connected and
     *                                  {@code target} is null or unresolved
     * @throws IllegalStateException    after {@link #close()} or {@link #abort()}
     */
    void sendTo(ByteBuffer data, SocketAddress target);

    /**
     * Sends to the connected peer: {@code sendTo(data, null)}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param data the payload
     */
    void send(ByteBuffer data);

    /**
     * Closes after sending what is queued; {@code connectionLost(null)} follows. Idempotent.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    void close();

    /**
     * Closes at once, discarding what is queued; {@code connectionLost(null)} follows.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    void abort();

    /**
     * Whether {@link #close()} or {@link #abort()} was called or the endpoint failed.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true once closing
     */
    boolean isClosing();

    /**
     * Stops delivering datagrams (they queue in the kernel, which drops what overflows).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    void pauseReading();

    /**
     * Resumes delivering datagrams.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    void resumeReading();

    /**
     * Sets the send queue's water marks, as {@link Transport#setWriteBufferLimits(int, int)}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param high high-water mark in bytes
     * @param low  low-water mark in bytes
     */
    void setWriteBufferLimits(int high, int low);

    /**
     * Bytes of datagrams waiting to be sent.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the queue's size in bytes
     */
    long writeBufferSize();

    /**
     * The bound address (with the real port).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the local address
     */
    SocketAddress localAddress();

    /**
     * The connected peer.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the peer, or null if not connected
     */
    SocketAddress peerAddress();

    /**
     * The protocol.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the protocol
     */
    DatagramProtocol getProtocol();

    /**
     * The loop.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the loop
     */
    EventLoop loop();
}
