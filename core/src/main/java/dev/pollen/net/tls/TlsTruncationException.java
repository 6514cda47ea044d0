package dev.pollen.net.tls;

import javax.net.ssl.SSLException;

/**
 * The peer ended the TCP connection without a TLS {@code close_notify}, so what it sent may have
 * been cut short (a truncation). Passed to {@code connectionLost} when the end-of-stream came in
 * the middle of a TLS record (always), or anywhere when {@link TlsConfig#requireCloseNotify()} is
 * set. With the default, an end-of-stream between records is delivered as an ordinary
 * {@code eofReceived()}, and {@link dev.pollen.net.TlsTransport#closeNotifyReceived()} tells the
 * two apart.
 *
 * <p><b>Threading:</b> immutable, any thread.
 */
public class TlsTruncationException extends SSLException {

    private static final long serialVersionUID = 1L;

    /**
     * A truncation.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param message what happened, naming the peer
     */
    public TlsTruncationException(String message) {
        super(message);
    }
}
