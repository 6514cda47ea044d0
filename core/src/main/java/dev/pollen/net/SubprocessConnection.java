package dev.pollen.net;

/**
 * What {@link Net#subprocessExec} and {@link Net#subprocessShell} complete with (asyncio's
 * {@code (transport, protocol)} pair).
 *
 * <p><b>Threading:</b> any thread (immutable); use the transport on the loop thread.
 *
 * @param transport the child's transport
 * @param protocol  the protocol the factory made
 * @param <P>       the protocol type
 */
public record SubprocessConnection<P extends SubprocessProtocol>(SubprocessTransport transport,
        P protocol) {
}
