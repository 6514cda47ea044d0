package dev.pollen.net;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * The callbacks of a UDP endpoint (asyncio's {@code DatagramProtocol}). Every method has an
 * empty default.
 *
 * <p><b>Threading:</b> every callback runs on the transport's loop thread.
 */
public interface DatagramProtocol {

    /**
     * The endpoint is ready.
     *
     * <p><b>Threading:</b> called on the loop thread.
     *
     * @param transport its transport, to send with
     */
    default void connectionMade(DatagramTransport transport) {
    }

    /**
     * A datagram arrived. <b>The buffer is only valid during this call</b> (it is the loop's
     * reused read buffer); copy what you keep. A datagram larger than 64 KiB cannot exist on
     * UDP over IPv4/IPv6 without jumbograms, so it always arrives whole.
     *
     * <p><b>Threading:</b> called on the loop thread.
     *
     * @param data the payload
     * @param from the sender
     */
    default void datagramReceived(ByteBuffer data, SocketAddress from) {
    }

    /**
     * A send or receive failed (e.g. {@link java.net.PortUnreachableException} after an ICMP
     * port-unreachable on a connected endpoint, or a datagram too large). The endpoint stays
     * open.
     *
     * <p><b>Threading:</b> called on the loop thread.
     *
     * @param error the error
     */
    default void errorReceived(Exception error) {
    }

    /**
     * The endpoint is closed. Called exactly once.
     *
     * <p><b>Threading:</b> called on the loop thread.
     *
     * @param cause null after {@link DatagramTransport#close()} or {@code abort()}, otherwise
     *              what broke the endpoint
     */
    default void connectionLost(Throwable cause) {
    }

    /**
     * The send buffer passed its high-water mark: stop sending until resumed.
     *
     * <p><b>Threading:</b> called on the loop thread.
     */
    default void pauseWriting() {
    }

    /**
     * The send buffer drained to its low-water mark.
     *
     * <p><b>Threading:</b> called on the loop thread.
     */
    default void resumeWriting() {
    }
}
