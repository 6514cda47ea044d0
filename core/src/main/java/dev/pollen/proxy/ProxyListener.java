package dev.pollen.proxy;

/**
 * Observes each connection of a {@link TcpProxy} (for logs, metrics, tracing). Every method has
 * an empty default; override what you need. For one connection the calls come in this order:
 * {@link #accepted}, then for each attempt {@link #upstreamChosen} followed by either
 * {@link #upstreamConnected} or {@link #upstreamFailed} (an attempt abandoned because the client
 * left gets neither), and finally, exactly once, {@link #closed}.
 *
 * <p><b>Threading:</b> every method runs on the loop thread that owns the connection, so it must
 * not block (hand slow work to another thread). With a {@link dev.pollen.group.LoopGroup} the
 * same listener is called from every loop at once: make it thread-safe. A listener that throws is
 * reported to the loop's exception handler and the connection carries on.
 */
public interface ProxyListener {

    /**
     * A client was accepted (after its TLS handshake if the proxy terminates TLS); no upstream
     * yet.
     *
     * @param connection the connection
     */
    default void accepted(ProxyConnection connection) {
    }

    /**
     * An upstream was picked and a connect attempt starts.
     *
     * @param connection the connection
     * @param upstream   the upstream tried
     * @param attempt    1 for the first attempt, 2 for the first retry...
     */
    default void upstreamChosen(ProxyConnection connection, Upstream upstream, int attempt) {
    }

    /**
     * The attempt succeeded: the pipe starts.
     *
     * @param connection the connection
     * @param upstream   the upstream now in use
     */
    default void upstreamConnected(ProxyConnection connection, Upstream upstream) {
    }

    /**
     * The attempt failed; the next upstream is tried if retries are left, else the client is
     * closed ({@link CloseReason#NO_UPSTREAM}).
     *
     * @param connection the connection
     * @param upstream   the upstream that failed
     * @param cause      why: {@link java.net.ConnectException} (refused),
     *                   {@link java.net.SocketTimeoutException} (connect timeout),
     *                   {@link java.net.UnknownHostException}, a TLS handshake failure...
     */
    default void upstreamFailed(ProxyConnection connection, Upstream upstream, Throwable cause) {
    }

    /**
     * The connection ended; its {@link ProxyConnection#reason()} and byte counts are final.
     *
     * @param connection the connection
     */
    default void closed(ProxyConnection connection) {
    }
}
