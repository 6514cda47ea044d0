package dev.pollen.proxy;

/**
 * A snapshot of a {@link ProxyServer}'s counters since it started, from
 * {@link ProxyServer#stats()}. Byte counts cover connections that have ended (an open
 * connection's bytes are added when it closes; see {@link ProxyConnection} for live counts).
 *
 * <p><b>Threading:</b> any thread (immutable).
 *
 * @param accepted          clients accepted (after the TLS handshake when the proxy terminates TLS)
 * @param open              clients not yet closed
 * @param bytesToUpstream   bytes forwarded from clients to upstreams (closed connections)
 * @param bytesToClient     bytes forwarded from upstreams to clients (closed connections)
 * @param upstreamFailures  upstream connect attempts that failed (a client may cause several)
 * @param noUpstream        clients closed because every attempt failed ({@link CloseReason#NO_UPSTREAM})
 * @param clientsLeft       clients lost before an upstream connected ({@link CloseReason#CLIENT_LEFT})
 * @param idleTimeouts      connections closed by the idle timeout
 * @param errors            connections ended by a reset or another error ({@link CloseReason#ERROR})
 * @param aborted           connections aborted by {@link ProxyServer#abort()} or a drain's deadline
 */
public record ProxyStats(long accepted, int open, long bytesToUpstream, long bytesToClient,
        long upstreamFailures, long noUpstream, long clientsLeft, long idleTimeouts, long errors,
        long aborted) {
}
