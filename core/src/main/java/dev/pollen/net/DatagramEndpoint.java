package dev.pollen.net;

/**
 * A datagram transport and its protocol, the result of {@link Net#createDatagramEndpoint}.
 *
 * <p><b>Threading:</b> immutable; use the transport on its loop's thread.
 *
 * @param transport the endpoint's transport
 * @param protocol  its protocol
 * @param <P>       the protocol's type
 */
public record DatagramEndpoint<P extends DatagramProtocol>(DatagramTransport transport,
        P protocol) {
}
