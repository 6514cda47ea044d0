package dev.pollen.tls.openssl;

import dev.pollen.net.tls.TlsConfig;
import dev.pollen.net.tls.TlsEngineFactory;
import dev.pollen.net.tls.TlsEngineProvider;
import dev.pollen.spi.Availability;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLException;

/**
 * The {@code "openssl"} TLS engine: BoringSSL (netty-tcnative-boringssl-static) through Netty's
 * {@link SslContext} with {@link SslProvider#OPENSSL_REFCNT}. Pollen's TLS transport drives its
 * {@link SSLEngine}s exactly as it drives the JDK's; this class only turns a
 * {@link TlsConfig} into an {@code SslContext}: the same key manager (so SNI selection is the
 * same), trust manager, protocols, cipher suites, ALPN, client authentication and hostname
 * verification.
 *
 * <p>Engines hold native memory; each is released when its connection is gone
 * ({@link TlsEngineFactory#release}).
 *
 * <p>Differences from the JDK engine: no renegotiation and no key update on request
 * ({@code TlsTransport.renegotiate()} throws); an ALPN mismatch completes the handshake without a
 * protocol instead of failing it (Netty's OpenSSL negotiator supports only "no advertise").
 *
 * <p><b>Threading:</b> stateless, any thread; the factories are thread-safe.
 */
public final class OpenSslTlsEngineProvider implements TlsEngineProvider {

    /** The engine's name. */
    public static final String NAME = "openssl";

    /**
     * The service loader's constructor.
     *
     * <p><b>Threading:</b> any thread.
     */
    public OpenSslTlsEngineProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        try {
            if (OpenSsl.isAvailable()) {
                return Availability.available(OpenSsl.versionString() + " via netty-tcnative");
            }
            Throwable why = OpenSsl.unavailabilityCause();
            return Availability.unavailable("netty-tcnative's native library does not load on "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ": "
                    + why + " (io.netty:netty-tcnative-boringssl-static has builds for Linux and "
                    + "macOS x86_64/aarch64 and Windows x86_64)");
        } catch (LinkageError e) {
            return Availability.unavailable("Netty's TLS classes are missing: add "
                    + "io.netty:netty-handler and io.netty:netty-tcnative-boringssl-static ("
                    + e + ")");
        }
    }

    @Override
    public TlsEngineFactory create(TlsConfig c) throws GeneralSecurityException {
        SslContextBuilder b = c.isServer() ? SslContextBuilder.forServer(c.keyManager())
                : SslContextBuilder.forClient();
        if (!c.isServer() && c.keyManager() != null) {
            b.keyManager(c.keyManager());
        }
        b.sslProvider(SslProvider.OPENSSL_REFCNT).trustManager(c.trustManager());
        if (c.protocols() != null) {
            b.protocols(c.protocols());
        }
        if (c.cipherSuites() != null) {
            b.ciphers(c.cipherSuites());
        }
        if (!c.alpn().isEmpty()) {
            b.applicationProtocolConfig(new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, c.alpn()));
        }
        if (c.isServer()) {
            b.clientAuth(switch (c.clientAuth()) {
                case NEED -> ClientAuth.REQUIRE;
                case WANT -> ClientAuth.OPTIONAL;
                default -> ClientAuth.NONE;
            });
        } else {
            b.endpointIdentificationAlgorithm(c.verifyHostname() ? "HTTPS" : null);
        }
        SslContext ctx;
        try {
            ctx = b.build();
        } catch (SSLException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
        return new TlsEngineFactory() {
            @Override
            public SSLEngine newEngine(String peerHost, int peerPort) {
                SSLEngine e = ctx.newEngine(ByteBufAllocator.DEFAULT, peerHost, peerPort);
                if (!c.isServer() && isHostName(peerHost)) {
                    // Netty sends SNI only for names with a dot; the JDK for any host name.
                    SSLParameters p = e.getSSLParameters();
                    p.setServerNames(List.of(new SNIHostName(peerHost)));
                    e.setSSLParameters(p);
                }
                return e;
            }

            @Override
            public void release(SSLEngine engine) {
                ReferenceCountUtil.release(engine);
            }
        };
    }

    /** A DNS name (not null, not an IPv4 or IPv6 literal): what SNI may carry. */
    private static boolean isHostName(String host) {
        if (host == null || host.isEmpty() || host.indexOf(':') >= 0 || host.endsWith(".")) {
            return false;
        }
        return !host.chars().allMatch(ch -> ch == '.' || (ch >= '0' && ch <= '9'));
    }
}
