package dev.pollen.net;

/**
 * A connected transport and its protocol (asyncio's {@code (transport, protocol)} pair), the
 * result of {@link Net#createConnection}.
 *
 * <p><b>Threading:</b> immutable; use the transport on its loop's thread.
 *
 * @param transport the connection's transport
 * @param protocol  the protocol the factory made for it
 * @param <P>       the protocol's type
 */
public record Connection<P extends Protocol>(Transport transport, P protocol) {
}
