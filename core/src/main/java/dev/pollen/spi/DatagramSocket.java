package dev.pollen.spi;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A non-blocking UDP socket. Readable means a datagram may be received.
 *
 * <p><b>Threading:</b> loop thread only.
 */
public interface DatagramSocket extends IoSource {

    /**
     * Receives one datagram into {@code dst}; a datagram larger than the remaining space is
     * truncated.
     *
     * @param dst where to put the payload
     * @return the sender's address, or null if no datagram is waiting
     * @throws IOException for an error queued on the socket (e.g. ECONNREFUSED after an ICMP
     *                     port-unreachable on a connected socket)
     */
    SocketAddress receive(ByteBuffer dst) throws IOException;

    /**
     * Sends {@code src} as one datagram.
     *
     * @param src    the payload
     * @param target the destination, or null on a connected socket
     * @return bytes sent: all of {@code src}, or 0 if the send buffer is full
     * @throws IOException if the kernel refuses
     */
    int send(ByteBuffer src, SocketAddress target) throws IOException;

    /**
     * The local address.
     *
     * @return the bound address
     */
    SocketAddress localAddress();

    /**
     * The connected peer.
     *
     * @return the peer, or null if not connected
     */
    SocketAddress remoteAddress();
}
