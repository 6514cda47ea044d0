package dev.pollen.proxy;

import dev.pollen.group.GroupServer;
import dev.pollen.group.LoopGroup;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Protocol;
import dev.pollen.net.Transport;
import dev.pollen.net.tls.TlsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A TCP proxy (HAProxy's {@code mode tcp}): it listens, connects each client to an upstream
 * (trying several in order or round-robin, with a connect timeout and retries), then forwards
 * bytes both ways with {@link Net#pipe}'s flow control and half-close. An upstream that cannot be
 * reached is answered by a clean close of the client (end-of-stream, never a reset, even when the
 * client has already sent bytes); see {@link ProxyConnection} for one connection's life and
 * {@link CloseReason} for how it can end.
 *
 * <pre>{@code
 * TcpProxy proxy = TcpProxy.builder()
 *         .listen("0.0.0.0", 9000)
 *         .upstream("10.0.0.1", 8080)
 *         .upstream("10.0.0.2", 8080)
 *         .balance(Balance.ROUND_ROBIN)
 *         .connectTimeout(Duration.ofSeconds(2))
 *         .idleTimeout(Duration.ofMinutes(5))
 *         .build();
 * ProxyServer server = proxy.start(group).join();   // or proxy.start(loop) on one loop
 * // ... on shutdown:
 * server.drain(Duration.ofSeconds(10)).join();
 * }</pre>
 *
 * <p>A configuration is immutable and can be started any number of times; each start is its own
 * {@link ProxyServer} with its own counters. Each client and its upstream connection live on the
 * loop that accepted the client.
 *
 * <p><b>Threading:</b> any thread (immutable), except where a method says otherwise.
 */
public final class TcpProxy {

    /** The connect timeout when none is set: HAProxy's usual {@code timeout connect 5s}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /**
     * The listen backlog when no {@link Builder#listenOptions} are given: 4096, Linux's
     * {@code somaxconn} default since 5.4 (the kernel caps it there), where HAProxy takes its
     * frontend's {@code maxconn}. {@link NetOptions#DEFAULT_BACKLOG}'s 511 drops part of a burst
     * of new clients (a wrk start, a reconnect storm after an upstream restart): each dropped
     * one waits for a TCP retransmission, a second or more (docs/proxy.md, Decisions).
     */
    public static final int DEFAULT_BACKLOG = 4096;

    private final String listenHost;
    private final int listenPort;
    private final List<Upstream> upstreams;
    private final Balance balance;
    private final int retries;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final NetOptions listenOptions;
    private final NetOptions upstreamOptions;
    private final TlsConfig listenTls;
    private final TlsConfig upstreamTls;
    private final ProxyListener listener;

    private TcpProxy(Builder b) {
        this.listenHost = b.listenHost;
        this.listenPort = b.listenPort;
        this.upstreams = List.copyOf(b.upstreams);
        this.balance = b.balance;
        this.retries = b.retries == null ? upstreams.size() - 1 : b.retries;
        this.connectTimeout = b.connectTimeout;
        this.idleTimeout = b.idleTimeout;
        this.listenOptions = b.listenOptions;
        this.upstreamOptions = b.upstreamOptions.toBuilder().connectTimeout(connectTimeout).build();
        this.listenTls = b.listenTls;
        this.upstreamTls = b.upstreamTls;
        this.listener = b.listener;
    }

    /**
     * A new builder.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ starting

    /**
     * Starts the proxy on one loop.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop the loop that accepts and serves every client
     * @return a future of the running proxy, completed once it listens; fails with a
     *         {@link java.net.BindException} naming the address if it cannot listen
     */
    public Future<ProxyServer> start(EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        ProxyServer proxy = new ProxyServer(this);
        Future<ProxyServer> result = loop.createFuture();
        Net.createServer(loop, clientFactory(proxy), listenHost, listenPort, listenOptions)
                .addDoneCallback(f -> {
                    if (f.isCancelled()) {
                        result.cancel();
                    } else if (f.exception() != null) {
                        result.setException(f.exception());
                    } else {
                        proxy.attach(f.result());
                        result.setResult(proxy);
                    }
                });
        return result;
    }

    /**
     * Starts the proxy on every loop of a group (see {@link LoopGroup#createServer} for how
     * clients are spread). Listeners are called from every loop's thread.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param group the group
     * @return a future of the running proxy, completed once every loop listens
     */
    public CompletableFuture<ProxyServer> start(LoopGroup group) {
        Objects.requireNonNull(group, "group");
        ProxyServer proxy = new ProxyServer(this);
        CompletableFuture<GroupServer> started = group.createServer(clientFactory(proxy),
                listenHost, listenPort, listenOptions);
        return started.thenApply(s -> {
            proxy.attach(s);
            return proxy;
        });
    }

    private Supplier<Protocol> clientFactory(ProxyServer proxy) {
        Supplier<Protocol> plain = () -> new Protocol() {
            @Override
            public void connectionMade(Transport transport) {
                new ProxyConnection(proxy, proxy.newId(), transport).begin();
            }
        };
        return listenTls == null ? plain : Net.tlsServerFactory(listenTls, plain);
    }

    // ------------------------------------------------------------------ configuration

    /**
     * The host to listen on.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the host, or null for every interface
     */
    public String listenHost() {
        return listenHost;
    }

    /**
     * The port to listen on.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return 0 to 65535 (0: a free port)
     */
    public int listenPort() {
        return listenPort;
    }

    /**
     * The upstreams, in the order given.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return an immutable list, never empty
     */
    public List<Upstream> upstreams() {
        return upstreams;
    }

    /**
     * How the first upstream of a client is picked.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the balance
     */
    public Balance balance() {
        return balance;
    }

    /**
     * How many more attempts follow a failed one, each on the next upstream.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return 0 or more
     */
    public int retries() {
        return retries;
    }

    /**
     * How long one upstream attempt may take.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the timeout
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * How long a piped connection may move no byte either way before both sides are reset.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the timeout, or null for none
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * Options of the listening sockets and accepted clients.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the options
     */
    public NetOptions listenOptions() {
        return listenOptions;
    }

    /**
     * Options of the upstream connections (with {@link #connectTimeout()} in them).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the options
     */
    public NetOptions upstreamOptions() {
        return upstreamOptions;
    }

    /**
     * TLS terminated on the listening side.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return a server configuration, or null for plain TCP
     */
    public TlsConfig listenTls() {
        return listenTls;
    }

    /**
     * TLS spoken to the upstreams.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return a client configuration, or null for plain TCP
     */
    public TlsConfig upstreamTls() {
        return upstreamTls;
    }

    /**
     * The connection listener.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the listener (a no-op one when none was set)
     */
    public ProxyListener listener() {
        return listener;
    }

    @Override
    public String toString() {
        return "TcpProxy[" + (listenHost == null ? "*" : listenHost) + ":" + listenPort + " -> "
                + upstreams + ", " + balance + ", retries=" + retries + ", connectTimeout="
                + connectTimeout + (idleTimeout == null ? "" : ", idleTimeout=" + idleTimeout)
                + (listenTls == null ? "" : ", TLS in") + (upstreamTls == null ? "" : ", TLS out")
                + "]";
    }

    /**
     * Builds a {@link TcpProxy}. Required: {@link #listen} and at least one {@link #upstream}.
     * {@link #build()} checks everything and says what to change.
     *
     * <p><b>Threading:</b> one thread at a time (not thread-safe).
     */
    public static final class Builder {
        private static final ProxyListener NO_LISTENER = new ProxyListener() {
        };
        private static final Duration MAX_TIMEOUT = Duration.ofDays(365L * 100);

        private String listenHost;
        private int listenPort;
        private boolean listenSet;
        private final List<Upstream> upstreams = new ArrayList<>();
        private Balance balance = Balance.FIRST;
        private Integer retries;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration idleTimeout;
        private NetOptions listenOptions = NetOptions.builder().backlog(DEFAULT_BACKLOG).build();
        private NetOptions upstreamOptions = NetOptions.defaults();
        private TlsConfig listenTls;
        private TlsConfig upstreamTls;
        private ProxyListener listener = NO_LISTENER;

        private Builder() {
        }

        /**
         * Where to listen (required).
         *
         * @param host a host or IP literal, or null for every interface
         * @param port 0 to 65535; 0 picks a free port ({@link ProxyServer#port()})
         * @return this builder
         */
        public Builder listen(String host, int port) {
            this.listenHost = host;
            this.listenPort = port;
            this.listenSet = true;
            return this;
        }

        /**
         * Adds an upstream (at least one is required); the order matters for
         * {@link Balance#FIRST} and for failover.
         *
         * @param host a host name or IP literal, resolved at each attempt
         * @param port 1 to 65535
         * @return this builder
         * @throws IllegalArgumentException if the host is empty or the port out of range
         */
        public Builder upstream(String host, int port) {
            upstreams.add(new Upstream(host, port));
            return this;
        }

        /**
         * Adds an upstream.
         *
         * @param upstream the upstream
         * @return this builder
         */
        public Builder upstream(Upstream upstream) {
            upstreams.add(Objects.requireNonNull(upstream, "upstream"));
            return this;
        }

        /**
         * How the first upstream of each client is picked (default {@link Balance#FIRST}).
         *
         * @param balance the policy
         * @return this builder
         */
        public Builder balance(Balance balance) {
            this.balance = Objects.requireNonNull(balance, "balance");
            return this;
        }

        /**
         * How many more attempts may follow a failed upstream connect, each on the next upstream
         * of the list, wrapping around (HAProxy's {@code retries} with {@code redispatch}).
         * Default: one attempt per upstream, i.e. the number of upstreams minus one.
         *
         * @param retries 0 or more
         * @return this builder
         */
        public Builder retries(int retries) {
            this.retries = retries;
            return this;
        }

        /**
         * How long one upstream attempt (name resolution, TCP connect, and the TLS handshake
         * when {@link #upstreamTls} is set) may take before it counts as failed (default
         * {@link TcpProxy#DEFAULT_CONNECT_TIMEOUT}, 5 s).
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * Closes a piped connection (both sides reset, {@link CloseReason#IDLE_TIMEOUT}) when no
         * byte moved either way for this long (HAProxy's {@code timeout client}/{@code server}).
         * Default: none.
         *
         * @param timeout a positive duration, or null for none
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * Options of the listening sockets and accepted clients (backlog, socket options,
         * water marks), used as they are. Without this call they are the defaults with a
         * backlog of {@link TcpProxy#DEFAULT_BACKLOG}; options passed here keep their own
         * backlog ({@link NetOptions#DEFAULT_BACKLOG} unless set). Their {@code idleTimeout}
         * must be unset: use {@link #idleTimeout}.
         *
         * @param options the options
         * @return this builder
         */
        public Builder listenOptions(NetOptions options) {
            this.listenOptions = Objects.requireNonNull(options, "listenOptions");
            return this;
        }

        /**
         * Options of the upstream connections (socket options, water marks, Happy Eyeballs);
         * their connect timeout is replaced by {@link #connectTimeout}, and their
         * {@code idleTimeout} must be unset.
         *
         * @param options the options
         * @return this builder
         */
        public Builder upstreamOptions(NetOptions options) {
            this.upstreamOptions = Objects.requireNonNull(options, "upstreamOptions");
            return this;
        }

        /**
         * Terminates TLS from clients: each client's handshake completes before an upstream is
         * tried (a failed handshake is reported to the configuration's
         * {@link TlsConfig#handshakeFailureListener()} and never reaches the proxy's listener).
         *
         * @param tls a {@link TlsConfig#forServer} configuration, or null for plain TCP
         * @return this builder
         */
        public Builder listenTls(TlsConfig tls) {
            this.listenTls = tls;
            return this;
        }

        /**
         * Speaks TLS to the upstreams (verifying their certificates as {@code tls} says; the
         * server name defaults to the upstream's host).
         *
         * @param tls a {@link TlsConfig#forClient()} configuration, or null for plain TCP
         * @return this builder
         */
        public Builder upstreamTls(TlsConfig tls) {
            this.upstreamTls = tls;
            return this;
        }

        /**
         * Observes every connection (see {@link ProxyListener} for its threading rule).
         *
         * @param listener the listener, or null for none
         * @return this builder
         */
        public Builder listener(ProxyListener listener) {
            this.listener = listener == null ? NO_LISTENER : listener;
            return this;
        }

        /**
         * Checks the configuration and builds it.
         *
         * @return the configuration
         * @throws IllegalArgumentException naming what is wrong and what to do
         */
        public TcpProxy build() {
            if (!listenSet) {
                throw bad("no listening address: call listen(host, port) (host null for every "
                        + "interface, port 0 for a free port)");
            }
            if (listenPort < 0 || listenPort > 65535) {
                throw bad("listen port must be 0 to 65535 (0 picks a free port), got " + listenPort);
            }
            if (upstreams.isEmpty()) {
                throw bad("no upstream: call upstream(host, port) at least once");
            }
            if (retries != null && retries < 0) {
                throw bad("retries must be 0 or more (extra attempts after a failed connect, each on "
                        + "the next upstream), got " + retries);
            }
            if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()
                    || connectTimeout.compareTo(MAX_TIMEOUT) > 0) {
                throw bad("connectTimeout must be a positive duration (e.g. Duration.ofSeconds(5)), "
                        + "got " + connectTimeout);
            }
            if (idleTimeout != null && (idleTimeout.isNegative() || idleTimeout.isZero()
                    || idleTimeout.compareTo(MAX_TIMEOUT) > 0)) {
                throw bad("idleTimeout must be a positive duration, or null for none; got "
                        + idleTimeout);
            }
            if (listenOptions.idleTimeout() != null || upstreamOptions.idleTimeout() != null) {
                throw bad("set the idle timeout with idleTimeout(...), not in listenOptions or "
                        + "upstreamOptions (it must count bytes in both directions)");
            }
            if (listenTls != null && !listenTls.isServer()) {
                throw bad("listenTls needs a server configuration (TlsConfig.forServer(keys)), got "
                        + "a client one");
            }
            if (upstreamTls != null && upstreamTls.isServer()) {
                throw bad("upstreamTls needs a client configuration (TlsConfig.forClient()), got a "
                        + "server one");
            }
            return new TcpProxy(this);
        }

        private static IllegalArgumentException bad(String message) {
            return new IllegalArgumentException("TcpProxy: " + message);
        }
    }
}
