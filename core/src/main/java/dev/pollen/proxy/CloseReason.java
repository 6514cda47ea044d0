package dev.pollen.proxy;

/**
 * Why a proxied connection ended, reported by {@link ProxyConnection#reason()} and
 * {@link ProxyListener#closed(ProxyConnection)}.
 *
 * <p><b>Threading:</b> any thread (an enum).
 */
public enum CloseReason {
    /** Both directions ended with end-of-stream and both sockets closed cleanly. */
    DONE,
    /** Every upstream attempt failed (refused, timed out, unresolvable, TLS handshake); the
     *  client was closed cleanly (FIN, never a reset) without a byte of answer. */
    NO_UPSTREAM,
    /** The client's connection was lost (reset, or aborted) before an upstream connected; the
     *  pending upstream attempt was abandoned. */
    CLIENT_LEFT,
    /** No byte moved either way for the {@linkplain TcpProxy.Builder#idleTimeout idle timeout};
     *  both sides were reset. */
    IDLE_TIMEOUT,
    /** One side failed (reset, broken pipe) after the pipe started; the other was aborted so that
     *  its peer sees the reset too, as it would without a proxy. */
    ERROR,
    /** Aborted by {@link ProxyServer#abort()} or at the end of {@link ProxyServer#drain}'s grace
     *  period. */
    ABORTED
}
