package dev.pollen.net.tls;

import dev.pollen.spi.Availability;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a connection speaks TLS: asyncio's {@code ssl.SSLContext} (with its
 * {@code ssl_handshake_timeout} and {@code ssl_shutdown_timeout}), Netty's {@code SslContext}.
 * Made once, shared by any number of connections, servers and loops.
 *
 * <pre>{@code
 * TlsConfig server = TlsConfig.forServer(TlsKeys.fromPem(Path.of("cert.pem"), Path.of("key.pem")))
 *         .alpn("h2", "http/1.1")
 *         .build();
 * TlsConfig client = TlsConfig.forClient()
 *         .trustPem(Path.of("ca.pem"))            // default: the JDK's trusted roots
 *         .build();                               // hostname verification is on
 * }</pre>
 *
 * <p><b>Server side:</b> key material (default keys, plus per-name keys chosen by the client's
 * SNI, {@link Builder#keys(String, TlsKeys)}), optional client authentication
 * ({@link ClientAuth}) against {@link Builder#trustPem trusted certificates}.
 * <b>Client side:</b> trust (default: the JDK's {@code cacerts}), the server name sent as SNI and
 * checked against the certificate (default: the host given to {@code createConnection}),
 * hostname verification (on by default), optional client keys. <b>Both:</b> protocols
 * (default: the engine's, TLS 1.3 and 1.2 on current JDKs), cipher suites, ALPN, the handshake
 * timeout (default 60 s) and the close_notify/shutdown timeout (default 30 s), and the engine
 * ({@code "jdk"} by default; {@code "openssl"} with the {@code pollen-tls-openssl} module).
 *
 * <p>{@link Builder#build()} loads everything and makes one probe engine, so a configuration the
 * engine refuses (an unknown protocol or cipher suite, a missing engine) fails there, with its
 * reason, not at the first connection.
 *
 * <p><b>Threading:</b> immutable and thread-safe; the handshake failure listener is called on
 * the loop thread of the failed connection.
 */
public final class TlsConfig {

    /** The default handshake timeout, 60 s (asyncio's {@code ssl_handshake_timeout}). */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(60);
    /** The default shutdown timeout, 30 s (asyncio's {@code ssl_shutdown_timeout}). */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    /** The system property that sets the default engine ({@code jdk} unless set). */
    public static final String ENGINE_PROPERTY = "pollen.tls.engine";

    /** Whether a server asks the client for a certificate. */
    public enum ClientAuth {
        /** Do not ask (the default). */
        NONE,
        /** Ask; a client without one is still accepted. */
        WANT,
        /** Require one; a client without one fails the handshake. */
        NEED
    }

    private final boolean server;
    private final TlsKeys keys;
    private final Map<String, TlsKeys> sniKeys;
    private final ClientAuth clientAuth;
    private final X509ExtendedKeyManager keyManager;
    private final X509ExtendedTrustManager trustManager;
    private final String serverName;
    private final boolean verifyHostname;
    private final List<String> protocols;
    private final List<String> cipherSuites;
    private final List<String> alpn;
    private final Duration handshakeTimeout;
    private final Duration shutdownTimeout;
    private final boolean requireCloseNotify;
    private final Consumer<? super TlsHandshakeException> failureListener;
    private final String engineName;
    private final TlsEngineFactory engines;

    private TlsConfig(Builder b) throws GeneralSecurityException {
        this.server = b.server;
        this.keys = b.keys;
        this.sniKeys = Collections.unmodifiableMap(new LinkedHashMap<>(b.sniKeys));
        this.clientAuth = b.clientAuth;
        this.keyManager = keys == null ? null : new SniKeyManager(keys, sniKeys);
        this.trustManager = b.trustManager != null ? b.trustManager : trustFor(b.trusted);
        this.serverName = b.serverName;
        this.verifyHostname = b.verifyHostname;
        this.protocols = b.protocols;
        this.cipherSuites = b.cipherSuites;
        this.alpn = b.alpn;
        this.handshakeTimeout = b.handshakeTimeout;
        this.shutdownTimeout = b.shutdownTimeout;
        this.requireCloseNotify = b.requireCloseNotify;
        this.failureListener = b.failureListener;
        TlsEngineProvider provider = provider(b.engine);
        this.engineName = provider.name();
        this.engines = provider.create(this);
    }

    // ------------------------------------------------------------------ builders

    /**
     * A server configuration presenting {@code keys} (to every client, or to those whose SNI
     * matches no {@link Builder#keys(String, TlsKeys) per-name keys}).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param keys the default key material
     * @return a builder
     */
    public static Builder forServer(TlsKeys keys) {
        Builder b = new Builder(true);
        b.keys = Objects.requireNonNull(keys, "keys");
        return b;
    }

    /**
     * A client configuration: the JDK's trusted roots, hostname verification on.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return a builder
     */
    public static Builder forClient() {
        return new Builder(false);
    }

    // ------------------------------------------------------------------ accessors

    /**
     * Whether this is a server configuration.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true for {@link #forServer}
     */
    public boolean isServer() {
        return server;
    }

    /**
     * The default key material (server), or the client's own (client authentication).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the keys, or null (a client without a certificate)
     */
    public TlsKeys keys() {
        return keys;
    }

    /**
     * The per-name key material of a server, by SNI name ({@code *.example.org} matches one
     * label).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return an unmodifiable map, in insertion order
     */
    public Map<String, TlsKeys> sniKeys() {
        return sniKeys;
    }

    /**
     * Whether a server asks for client certificates.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the mode
     */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /**
     * The key manager engines use: it picks {@link #keys()} or an SNI match. For engine
     * providers.
     *
     * <p><b>Threading:</b> any thread (thread-safe).
     *
     * @return the key manager, or null when there are no keys
     */
    public X509ExtendedKeyManager keyManager() {
        return keyManager;
    }

    /**
     * The trust manager engines use to check the peer's certificates (the JDK's default roots
     * unless trusted certificates or a trust manager were given). For engine providers.
     *
     * <p><b>Threading:</b> any thread (thread-safe).
     *
     * @return the trust manager
     */
    public X509ExtendedTrustManager trustManager() {
        return trustManager;
    }

    /**
     * The server name a client sends (SNI) and verifies, overriding the connection's host.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the name, or null to use the host given to {@code createConnection}
     */
    public String serverName() {
        return serverName;
    }

    /**
     * Whether a client checks that the server's certificate names the server (on by default).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true when verifying
     */
    public boolean verifyHostname() {
        return verifyHostname;
    }

    /**
     * The enabled protocols.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return e.g. ["TLSv1.3"], or null for the engine's defaults
     */
    public List<String> protocols() {
        return protocols;
    }

    /**
     * The enabled cipher suites.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the suites, or null for the engine's defaults
     */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /**
     * The ALPN protocols, in preference order.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the list, empty for no ALPN
     */
    public List<String> alpn() {
        return alpn;
    }

    /**
     * How long a handshake may take before the connection is aborted.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the timeout (default 60 s)
     */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * How long {@code close()} may take to flush, send close_notify and hear the peer's, before
     * the connection is aborted.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the timeout (default 30 s)
     */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /**
     * Whether a peer's end-of-stream without close_notify is an error
     * ({@link TlsTruncationException} to {@code connectionLost}) rather than an ordinary
     * end-of-stream.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return false by default
     */
    public boolean requireCloseNotify() {
        return requireCloseNotify;
    }

    /**
     * Where a server's failed handshakes are reported.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the listener, or null
     */
    public Consumer<? super TlsHandshakeException> handshakeFailureListener() {
        return failureListener;
    }

    /**
     * The engine's name.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return "jdk", "openssl", ...
     */
    public String engine() {
        return engineName;
    }

    /**
     * The engine factory built for this configuration.
     *
     * <p><b>Threading:</b> any thread (thread-safe).
     *
     * @return the factory
     */
    public TlsEngineFactory engineFactory() {
        return engines;
    }

    @Override
    public String toString() {
        return "TlsConfig[" + (server ? "server" : "client") + ", engine=" + engineName
                + (keys != null ? ", keys=" + keys : "")
                + (sniKeys.isEmpty() ? "" : ", sni=" + sniKeys.keySet())
                + (clientAuth != ClientAuth.NONE ? ", clientAuth=" + clientAuth : "")
                + (serverName != null ? ", serverName=" + serverName : "")
                + (!server && !verifyHostname ? ", hostname verification OFF" : "")
                + (protocols != null ? ", protocols=" + protocols : "")
                + (alpn.isEmpty() ? "" : ", alpn=" + alpn) + "]";
    }

    // ------------------------------------------------------------------ engines

    /**
     * The engines this JVM can use: the built-in {@code jdk} and those the service loader finds.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return name to availability, {@code jdk} first
     */
    public static Map<String, Availability> engines() {
        Map<String, Availability> out = new LinkedHashMap<>();
        out.put(JdkTlsEngineProvider.NAME, new JdkTlsEngineProvider().availability());
        for (TlsEngineProvider p : ServiceLoader.load(TlsEngineProvider.class,
                TlsConfig.class.getClassLoader())) {
            out.putIfAbsent(p.name(), p.availability());
        }
        return out;
    }

    private static TlsEngineProvider provider(String name) {
        String n = name != null ? name : System.getProperty(ENGINE_PROPERTY,
                JdkTlsEngineProvider.NAME);
        n = n.trim().toLowerCase(Locale.ROOT);
        if (n.equals(JdkTlsEngineProvider.NAME)) {
            return new JdkTlsEngineProvider();
        }
        List<String> found = new ArrayList<>(List.of(JdkTlsEngineProvider.NAME));
        for (TlsEngineProvider p : ServiceLoader.load(TlsEngineProvider.class,
                TlsConfig.class.getClassLoader())) {
            if (p.name().equals(n)) {
                Availability a = p.availability();
                if (!a.available()) {
                    throw new IllegalStateException("TLS engine '" + n + "' is on the class path "
                            + "but cannot run here: " + a.reason());
                }
                return p;
            }
            found.add(p.name());
        }
        if (n.equals("openssl")) {
            throw new IllegalStateException("TLS engine 'openssl' is not on the class path: add "
                    + "the dependency dev.pollen:pollen-tls-openssl (it brings Netty's "
                    + "netty-handler and netty-tcnative-boringssl-static); engines found: " + found);
        }
        throw new IllegalArgumentException("unknown TLS engine '" + n + "'; engines found: "
                + found);
    }

    private static X509ExtendedTrustManager trustFor(List<X509Certificate> trusted)
            throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(
                TrustManagerFactory.getDefaultAlgorithm());
        if (trusted == null) {
            f.init((KeyStore) null);
        } else {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            try {
                ks.load(null, null);
            } catch (IOException e) {
                throw new GeneralSecurityException(e);
            }
            for (int i = 0; i < trusted.size(); i++) {
                ks.setCertificateEntry("trusted-" + i, trusted.get(i));
            }
            f.init(ks);
        }
        for (TrustManager t : f.getTrustManagers()) {
            if (t instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("the default TrustManagerFactory ("
                + f.getAlgorithm() + ") made no X509ExtendedTrustManager");
    }

    /** Whether {@code host} is a DNS name (SNI may carry it) rather than an IP literal. */
    static boolean isHostName(String host) {
        if (host.isEmpty() || host.indexOf(':') >= 0 || host.endsWith(".")) {
            return false; // IPv6 literals have colons; SNI names carry no trailing dot
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(c == '.' || (c >= '0' && c <= '9'))) {
                return true;
            }
        }
        return false; // only digits and dots: an IPv4 literal
    }

    /**
     * Builds a {@link TlsConfig}. Start from {@link TlsConfig#forServer} or
     * {@link TlsConfig#forClient}.
     *
     * <p><b>Threading:</b> not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final boolean server;
        private TlsKeys keys;
        private final Map<String, TlsKeys> sniKeys = new LinkedHashMap<>();
        private ClientAuth clientAuth = ClientAuth.NONE;
        private List<X509Certificate> trusted;
        private X509ExtendedTrustManager trustManager;
        private String serverName;
        private boolean verifyHostname = true;
        private List<String> protocols;
        private List<String> cipherSuites;
        private List<String> alpn = List.of();
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private boolean requireCloseNotify;
        private Consumer<? super TlsHandshakeException> failureListener;
        private String engine;

        private Builder(boolean server) {
            this.server = server;
        }

        /**
         * Server: presents {@code keys} to clients whose SNI is {@code serverName} (exact, case
         * insensitive) or matches it as {@code *.example.org} (one label). Client: not allowed.
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param serverName a DNS name or a one-label wildcard
         * @param keys       the key material for it
         * @return this builder
         * @throws IllegalStateException on a client builder
         */
        public Builder keys(String serverName, TlsKeys keys) {
            serverOnly("keys(serverName, keys)");
            Objects.requireNonNull(serverName, "serverName");
            sniKeys.put(serverName.toLowerCase(Locale.ROOT), Objects.requireNonNull(keys, "keys"));
            return this;
        }

        /**
         * Client: the certificate to present when the server asks for one.
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param keys the client's key material
         * @return this builder
         * @throws IllegalStateException on a server builder (give its keys to forServer)
         */
        public Builder keys(TlsKeys keys) {
            if (server) {
                throw new IllegalStateException("a server's default keys are given to "
                        + "TlsConfig.forServer(keys); use keys(serverName, keys) for SNI");
            }
            this.keys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /**
         * Server: whether to ask clients for certificates (checked against the trusted
         * certificates, see {@link #trustPem}).
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param mode NONE (default), WANT or NEED
         * @return this builder
         */
        public Builder clientAuth(ClientAuth mode) {
            serverOnly("clientAuth");
            this.clientAuth = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Trusts the certificates of a PEM file (a CA bundle, or a self-signed certificate)
         * instead of the JDK's default roots. May be called several times; the certificates add
         * up.
         *
         * <p><b>Threading:</b> the building thread (reads the file).
         *
         * @param caFile PEM certificates
         * @return this builder
         * @throws IOException naming the file if it cannot be read or holds no certificate
         */
        public Builder trustPem(Path caFile) throws IOException {
            return trust(Pem.certificates(caFile).toArray(X509Certificate[]::new));
        }

        /**
         * Trusts these certificates instead of the JDK's default roots (they add up).
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param certificates CA or self-signed certificates
         * @return this builder
         */
        public Builder trust(X509Certificate... certificates) {
            if (trusted == null) {
                trusted = new ArrayList<>();
            }
            for (X509Certificate c : certificates) {
                trusted.add(Objects.requireNonNull(c, "certificate"));
            }
            return this;
        }

        /**
         * Trusts the certificate entries of a key store (a trust store, a PKCS#12 file's CA
         * certificates).
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param store a loaded key store
         * @return this builder
         * @throws IllegalArgumentException if the store cannot be read
         */
        public Builder trust(KeyStore store) {
            try {
                for (String a : Collections.list(store.aliases())) {
                    if (store.getCertificate(a) instanceof X509Certificate c) {
                        trust(c);
                    }
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot read the trust store: " + e, e);
            }
            return this;
        }

        /**
         * Uses this trust manager for the peer's certificates (the escape hatch for custom
         * validation); replaces any trusted certificates.
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param manager the trust manager
         * @return this builder
         */
        public Builder trustManager(X509ExtendedTrustManager manager) {
            this.trustManager = Objects.requireNonNull(manager, "manager");
            return this;
        }

        /**
         * Client: the name sent as SNI and checked against the server's certificate, instead of
         * the host given to {@code createConnection} (asyncio's {@code server_hostname}).
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param name a DNS name (or an IP literal: then no SNI is sent)
         * @return this builder
         */
        public Builder serverName(String name) {
            clientOnly("serverName");
            this.serverName = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Client: whether to check that the server's certificate names the server (default
         * true; asyncio's {@code check_hostname}). Turn it off only for a peer you identify
         * some other way.
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param verify false to skip the check
         * @return this builder
         */
        public Builder verifyHostname(boolean verify) {
            clientOnly("verifyHostname");
            this.verifyHostname = verify;
            return this;
        }

        /**
         * The enabled protocols, e.g. {@code "TLSv1.3"} or {@code "TLSv1.3", "TLSv1.2"}.
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param names protocol names as the JDK spells them
         * @return this builder
         */
        public Builder protocols(String... names) {
            this.protocols = nonEmpty("protocols", names);
            return this;
        }

        /**
         * The enabled cipher suites (IANA names, as the JDK spells them).
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param names the suites
         * @return this builder
         */
        public Builder cipherSuites(String... names) {
            this.cipherSuites = nonEmpty("cipherSuites", names);
            return this;
        }

        /**
         * ALPN: the application protocols, in preference order (a server picks the first of its
         * list the client offers; a client offers them). No ALPN by default.
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param protocols e.g. "h2", "http/1.1"
         * @return this builder
         */
        public Builder alpn(String... protocols) {
            this.alpn = nonEmpty("alpn", protocols);
            return this;
        }

        /**
         * How long a handshake may take (default 60 s).
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive("handshakeTimeout", timeout);
            return this;
        }

        /**
         * How long a graceful close may take (default 30 s): flushing, close_notify and the
         * peer's close_notify; then the connection is aborted.
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = positive("shutdownTimeout", timeout);
            return this;
        }

        /**
         * Treats a peer's end-of-stream without close_notify as a truncation error
         * ({@link TlsTruncationException} to {@code connectionLost}, no {@code eofReceived}).
         * Off by default, since many HTTP peers close without it.
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param require true for the strict behaviour
         * @return this builder
         */
        public Builder requireCloseNotify(boolean require) {
            this.requireCloseNotify = require;
            return this;
        }

        /**
         * Server: called with every failed handshake (clients that do not trust the
         * certificate, speak plain HTTP, time out...). Not needed by clients, whose connection
         * future fails instead.
         *
         * <p><b>Threading:</b> the building thread; the listener runs on the failed connection's
         * loop thread, so a configuration shared by a loop group needs a thread-safe listener.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder handshakeFailureListener(Consumer<? super TlsHandshakeException> listener) {
            this.failureListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * The engine: {@code "jdk"} (the default, or {@code -Dpollen.tls.engine}) or
         * {@code "openssl"} (BoringSSL; needs the {@code pollen-tls-openssl} module).
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @param name the engine's name
         * @return this builder
         */
        public Builder engine(String name) {
            this.engine = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Builds the configuration: loads trust, builds the engine's context and makes a probe
         * engine.
         *
         * <p><b>Threading:</b> the building thread.
         *
         * @return the configuration
         * @throws IllegalStateException    if the engine is absent or cannot run here (the
         *                                  message names the dependency to add)
         * @throws IllegalArgumentException if the engine refuses a setting (unknown protocol or
         *                                  cipher suite...), with the engine's reason
         */
        public TlsConfig build() {
            TlsConfig c;
            try {
                c = new TlsConfig(this);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("TLS configuration refused by the engine: "
                        + e.getMessage(), e);
            }
            try {
                SSLEngine probe = c.engines.newEngine("localhost", 443);
                c.engines.release(probe);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("TLS configuration refused by the '"
                        + c.engineName + "' engine: " + e.getMessage()
                        + (protocols != null ? " (protocols " + protocols + ")" : "")
                        + (cipherSuites != null ? " (cipher suites " + cipherSuites + ")" : ""),
                        e);
            }
            return c;
        }

        private void serverOnly(String what) {
            if (!server) {
                throw new IllegalStateException(what + " is a server setting; this is a "
                        + "TlsConfig.forClient() builder");
            }
        }

        private void clientOnly(String what) {
            if (server) {
                throw new IllegalStateException(what + " is a client setting; this is a "
                        + "TlsConfig.forServer(...) builder");
            }
        }

        private static List<String> nonEmpty(String what, String[] names) {
            if (names.length == 0) {
                throw new IllegalArgumentException(what + ": give at least one name");
            }
            for (String n : names) {
                Objects.requireNonNull(n, what);
            }
            return List.of(names);
        }

        private static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}
