package dev.pollen.net.tls;

import java.util.Objects;
import javax.net.ssl.SSLHandshakeException;

/**
 * A TLS handshake that did not complete, with the {@link Reason} in words a user can act on.
 * The message reads {@code TLS handshake with 127.0.0.1:4433 failed: unknown CA (the peer's
 * certificate chain does not lead to a trusted root): <engine's message>}; the engine's own
 * exception is the cause.
 *
 * <p>A client sees it as the failure of {@code Net.createConnection(..., tls)},
 * {@code Net.openConnection(..., tls)} or {@code startTls}; a server's connection whose handshake
 * failed is closed and the exception goes to {@link TlsConfig#handshakeFailureListener()} (and to
 * the {@code dev.pollen.net.tls} logger at DEBUG), never to the loop's exception handler: a
 * client that gives up on a handshake is a routine network event.
 *
 * <p><b>Threading:</b> immutable, any thread.
 */
public class TlsHandshakeException extends SSLHandshakeException {

    private static final long serialVersionUID = 1L;

    /** Why a handshake failed, as far as the engine's error tells. */
    public enum Reason {
        /** The peer's certificate chain does not lead to a trusted root (or the peer said so). */
        UNKNOWN_CA("unknown CA (the certificate chain does not lead to a trusted root)"),
        /** A certificate was rejected (by this side or by the peer) for another reason. */
        BAD_CERTIFICATE("bad certificate"),
        /** The server's certificate does not name the host that was asked for. */
        HOSTNAME_MISMATCH("hostname mismatch (the server's certificate does not name the host)"),
        /** A certificate in the chain has expired or is not yet valid. */
        CERTIFICATE_EXPIRED("certificate expired or not yet valid"),
        /** The server requires a client certificate and none was sent. */
        CERTIFICATE_REQUIRED("certificate required (the server needs a client certificate)"),
        /** The two sides have no TLS version in common. */
        PROTOCOL_MISMATCH("protocol mismatch (no TLS version in common)"),
        /** The two sides have no cipher suite in common. */
        NO_SHARED_CIPHER("no cipher suite in common"),
        /** ALPN: the server supports none of the application protocols the client offered. */
        ALPN_MISMATCH("no application protocol (ALPN) in common"),
        /** What arrived is not TLS (plain HTTP, garbage, another protocol). */
        NOT_TLS("not TLS (the peer sent something that is not a valid TLS record or message)"),
        /** The handshake did not finish within {@link TlsConfig#handshakeTimeout()}. */
        TIMEOUT("timeout"),
        /** The connection was closed or reset before the handshake finished. */
        CONNECTION_CLOSED("connection closed during the handshake"),
        /** Anything else; the cause tells. */
        OTHER("handshake failure");

        private final String description;

        Reason(String description) {
            this.description = description;
        }

        /**
         * A short description for messages.
         *
         * <p><b>Threading:</b> any thread.
         *
         * @return e.g. "unknown CA (...)"
         */
        public String description() {
            return description;
        }
    }

    private final Reason reason;

    /**
     * A handshake failure.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param reason  why
     * @param message the whole message
     * @param cause   the engine's exception, or null
     */
    public TlsHandshakeException(Reason reason, String message, Throwable cause) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
        if (cause != null) {
            initCause(cause);
        }
    }

    /**
     * A handshake failure whose reason is read from the engine's error: its cause chain (the
     * JDK's certificate path exceptions) and its message (the TLS alert names the JDK writes as
     * {@code certificate_unknown}, BoringSSL as {@code CERTIFICATE_UNKNOWN}).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param peer  the peer, for the message (e.g. "127.0.0.1:4433")
     * @param error the engine's exception
     * @return the exception, with {@code error} as its cause
     */
    public static TlsHandshakeException from(String peer, Throwable error) {
        Reason r = classify(error);
        String detail = error.getMessage() != null ? error.getMessage() : error.toString();
        return new TlsHandshakeException(r, "TLS handshake with " + peer + " failed: "
                + r.description() + ": " + detail, error);
    }

    /**
     * The reason an engine's handshake error stands for.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param error the engine's exception
     * @return the reason, {@link Reason#OTHER} when nothing matched
     */
    public static Reason classify(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof java.security.cert.CertificateExpiredException
                    || t instanceof java.security.cert.CertificateNotYetValidException) {
                return Reason.CERTIFICATE_EXPIRED;
            }
            text.append(' ').append(t.getMessage());
            if (t.getCause() == t) {
                break;
            }
        }
        String m = text.toString().toUpperCase(java.util.Locale.ROOT).replace(' ', '_');
        if (has(m, "CERTIFICATE_EXPIRED", "VALIDITY_CHECK_FAILED", "NOTAFTER", "NOTBEFORE")) {
            return Reason.CERTIFICATE_EXPIRED;
        }
        if (has(m, "NO_NAME_MATCHING", "NO_SUBJECT_ALTERNATIVE", "HOSTNAME_MISMATCH",
                "DOESN'T_MATCH_ANY_OF_THE_SUBJECT")) {
            return Reason.HOSTNAME_MISMATCH;
        }
        if (has(m, "CERTIFICATE_REQUIRED", "EMPTY_CLIENT_CERTIFICATE_CHAIN",
                "PEER_DID_NOT_RETURN_A_CERTIFICATE", "EMPTY_SERVER_CERTIFICATE_CHAIN")) {
            return Reason.CERTIFICATE_REQUIRED;
        }
        if (has(m, "UNKNOWN_CA", "PKIX_PATH_BUILDING_FAILED", "UNABLE_TO_FIND_VALID_CERTIFICATION",
                "UNABLE_TO_GET_LOCAL_ISSUER", "SELF_SIGNED_CERTIFICATE", "SELF-SIGNED")) {
            return Reason.UNKNOWN_CA;
        }
        if (has(m, "BAD_CERTIFICATE", "CERTIFICATE_UNKNOWN", "UNSUPPORTED_CERTIFICATE",
                "CERTIFICATE_REVOKED", "CERTIFICATE_VERIFY_FAILED", "PKIX_PATH_VALIDATION_FAILED")) {
            return Reason.BAD_CERTIFICATE;
        }
        if (has(m, "PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL", "NO_APPROPRIATE_PROTOCOL",
                "ARE_NOT_ACCEPTED_BY", "NO_SUPPORTED_VERSIONS", "WRONG_SSL_VERSION",
                "UNSUPPORTED_SSL_VERSION", "CLIENT_REQUESTED_PROTOCOL")) {
            return Reason.PROTOCOL_MISMATCH;
        }
        if (has(m, "NO_APPLICATION_PROTOCOL", "NO_APPLICATION_PROTOCOL_NEGOTIATED")) {
            return Reason.ALPN_MISMATCH;
        }
        if (has(m, "NO_CIPHER_SUITES_IN_COMMON", "NO_SHARED_CIPHER", "NO_NEGOTIABLE_CIPHER")) {
            return Reason.NO_SHARED_CIPHER;
        }
        if (has(m, "UNRECOGNIZED_SSL_MESSAGE", "WRONG_VERSION_NUMBER", "HTTP_REQUEST",
                "HTTPS_PROXY_REQUEST", "UNEXPECTED_RECORD", "INVALID_TLS_RECORD", "NOT_SSL_RECORD",
                "RECORD_LENGTH_MISMATCH", "ILLEGAL_RECORD", "PLAINTEXT", "DECODE_ERROR",
                "UNSUPPORTED_OR_UNRECOGNIZED", "ENCRYPTED_LENGTH_TOO_LONG", "INVALID_HANDSHAKE",
                "UNEXPECTED_MESSAGE", "INSUFFICIENT_BUFFER_REMAINING", "UNKNOWN_HANDSHAKE_TYPE",
                "MSG_TYPE", "BAD_PACKET_LENGTH", "EXCESSIVE_MESSAGE_SIZE", "INVALID_COMPRESSION",
                "UNSUPPORTED_RECORD_VERSION", "NOT_AN_SSL")) {
            return Reason.NOT_TLS;
        }
        return Reason.OTHER;
    }

    private static boolean has(String text, String... needles) {
        for (String n : needles) {
            if (text.contains(n)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why the handshake failed.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }
}
