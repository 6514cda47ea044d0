package dev.pollen.net.tls;

import javax.net.ssl.SSLEngine;

/**
 * Makes the {@link SSLEngine} of each connection for one {@link TlsConfig}: made once by a
 * {@link TlsEngineProvider} when the configuration is built, then asked for one engine per
 * connection.
 *
 * <p><b>Threading:</b> implementations must be thread-safe: the connections of a loop group call
 * them from every loop thread.
 */
public interface TlsEngineFactory {

    /**
     * A new engine for one connection, in client or server mode as the configuration says, with
     * its protocols, cipher suites, ALPN list, client-authentication mode, and (client side)
     * SNI and hostname verification for {@code peerHost} already applied.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param peerHost the host the client asked for (server name for SNI and verification), or
     *                 the peer's address on a server; may be null
     * @param peerPort the peer's port, or -1
     * @return an engine on which no handshake has begun
     */
    SSLEngine newEngine(String peerHost, int peerPort);

    /**
     * Frees an engine the connection no longer uses (an engine holding native memory releases it
     * here). Called once per engine, when its connection is gone. The default does nothing.
     *
     * <p><b>Threading:</b> called on the connection's loop thread.
     *
     * @param engine an engine from {@link #newEngine}
     */
    default void release(SSLEngine engine) {
    }
}
