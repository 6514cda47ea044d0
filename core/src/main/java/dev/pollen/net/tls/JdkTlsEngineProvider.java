package dev.pollen.net.tls;

import dev.pollen.spi.Availability;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * The built-in engine, {@code "jdk"}: the JDK's own {@link SSLContext} ("TLS", the SunJSSE
 * provider unless the security configuration says otherwise).
 *
 * <p><b>Threading:</b> stateless, any thread; the factories it makes are thread-safe (an
 * {@code SSLContext} is).
 */
public final class JdkTlsEngineProvider implements TlsEngineProvider {

    /** The name, {@code "jdk"}. */
    public static final String NAME = "jdk";

    /**
     * Makes the provider (the service loader's constructor).
     *
     * <p><b>Threading:</b> any thread.
     */
    public JdkTlsEngineProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        return Availability.available("the JDK's SSLEngine (" + Runtime.version() + ")");
    }

    @Override
    public TlsEngineFactory create(TlsConfig config) throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        KeyManager[] km = config.keyManager() == null ? null
                : new KeyManager[] {config.keyManager()};
        ctx.init(km, new TrustManager[] {config.trustManager()}, null);
        return (host, port) -> configure(ctx.createSSLEngine(host, port), config, host);
    }

    /** Applies the configuration through {@link SSLParameters}. */
    private static SSLEngine configure(SSLEngine e, TlsConfig c, String host) {
        e.setUseClientMode(!c.isServer());
        SSLParameters p = e.getSSLParameters();
        if (c.protocols() != null) {
            p.setProtocols(c.protocols().toArray(String[]::new));
        }
        if (c.cipherSuites() != null) {
            p.setCipherSuites(c.cipherSuites().toArray(String[]::new));
        }
        if (!c.alpn().isEmpty()) {
            p.setApplicationProtocols(c.alpn().toArray(String[]::new));
        }
        if (c.isServer()) {
            p.setUseCipherSuitesOrder(true);
            switch (c.clientAuth()) {
                case NEED -> p.setNeedClientAuth(true);
                case WANT -> p.setWantClientAuth(true);
                default -> { }
            }
        } else {
            if (c.verifyHostname()) {
                p.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (host != null && TlsConfig.isHostName(host)) {
                p.setServerNames(List.of(new SNIHostName(host)));
            }
        }
        e.setSSLParameters(p);
        return e;
    }
}
