package dev.pollen.net;

import javax.net.ssl.SSLSession;

/**
 * A {@link Transport} that speaks TLS over another transport (asyncio's SSL transport, Netty's
 * {@code SslHandler}): what {@code Net.createConnection(..., tls)}, {@code Net.createServer(...,
 * tls)} and {@link Net#startTls} hand to the protocol. The protocol reads and writes plaintext;
 * the transport encrypts, decrypts and runs the handshake with a {@link javax.net.ssl.SSLEngine}
 * (the JDK's or OpenSSL's, see {@link dev.pollen.net.tls.TlsConfig}).
 *
 * <h2>What differs from a plain transport</h2>
 * <ul>
 *   <li>{@code connectionMade} is called when the <em>handshake</em> has completed; a connection
 *       whose handshake fails never reaches the protocol (the client's future fails with a
 *       {@link dev.pollen.net.tls.TlsHandshakeException}; a server reports it to
 *       {@link dev.pollen.net.tls.TlsConfig#handshakeFailureListener()}).</li>
 *   <li>{@link #close()} flushes what was written, sends a TLS {@code close_notify}, then
 *       half-closes the TCP connection and waits (at most
 *       {@link dev.pollen.net.tls.TlsConfig#shutdownTimeout()}, 30 s by default) for the peer's
 *       close_notify or end-of-stream before closing the socket; data arriving meanwhile is
 *       discarded. After the timeout the connection is reset and {@code connectionLost} gets a
 *       {@link java.net.SocketTimeoutException}.</li>
 *   <li>{@link #abort()} resets the TCP connection at once, without close_notify.</li>
 *   <li>{@link #writeEof()} is not supported ({@link #canWriteEof()} is false), as in asyncio: a
 *       {@link Net#pipe pipe} closes a TLS side instead of half-closing it.</li>
 *   <li>The peer's close_notify is an end-of-stream: {@code eofReceived()}, and
 *       {@link #closeNotifyReceived()} is true. A peer that ends the TCP stream without
 *       close_notify also gives {@code eofReceived()} (many HTTP peers do that), with
 *       {@code closeNotifyReceived()} false; with
 *       {@link dev.pollen.net.tls.TlsConfig#requireCloseNotify()} it is an error instead
 *       ({@link dev.pollen.net.tls.TlsTruncationException} to {@code connectionLost}), and an
 *       end-of-stream in the middle of a record always is.</li>
 *   <li>Flow control counts bytes the peer has not taken yet: {@link #writeBufferSize()} is the
 *       plaintext waiting to be encrypted plus the encrypted bytes the socket has not accepted
 *       (one batch of at most four records, about 64 KiB). While the socket is backed up, new
 *       writes wait as plaintext and are encrypted later in full 16 KiB records.
 *       {@link #pauseReading()} stops decryption as well as the socket; what was already read
 *       (at most one 64 KiB read) waits encrypted.</li>
 * </ul>
 *
 * <p><b>Threading:</b> loop thread only, as every transport.
 */
public interface TlsTransport extends Transport {

    /**
     * The TLS session: the negotiated protocol ({@code getProtocol()}), cipher suite, the peer's
     * certificates ({@code getPeerCertificates()}), and so on (asyncio's
     * {@code get_extra_info('ssl_object')}, {@code 'peercert'}, {@code 'cipher'}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the session of the completed handshake
     */
    SSLSession session();

    /**
     * The application protocol ALPN selected ({@code SSLObject.selected_alpn_protocol()}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return e.g. "h2", or null if ALPN was not used
     */
    String applicationProtocol();

    /**
     * Server side: the server name the client asked for with SNI.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the name, or null (no SNI, or a client transport)
     */
    String requestedServerName();

    /**
     * Whether the peer's close_notify has arrived.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true once the peer ended its side with close_notify
     */
    boolean closeNotifyReceived();

    /**
     * Starts a new handshake on the open connection: a key update on TLS 1.3, a renegotiation on
     * TLS 1.2. Data keeps flowing; writes made meanwhile wait until the engine can encrypt them.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @throws IllegalStateException if the transport is closing
     * @throws UnsupportedOperationException if the engine cannot (BoringSSL does not renegotiate)
     */
    void renegotiate();

    /**
     * The transport the TLS records travel on (a TCP or Unix transport, or another TLS
     * transport).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the underlying transport
     */
    Transport rawTransport();
}
