package dev.pollen.net.tls;

import dev.pollen.spi.Availability;
import java.security.GeneralSecurityException;

/**
 * A TLS engine implementation Pollen can use: the JDK's ({@code "jdk"}, built in) or another one
 * found with {@link java.util.ServiceLoader} (the {@code pollen-tls-openssl} module adds
 * {@code "openssl"}: BoringSSL through Netty's tcnative). {@link TlsConfig.Builder#engine(String)}
 * picks one by name. Whatever the engine, the TLS transport is the same code: it drives the
 * {@link javax.net.ssl.SSLEngine} the provider makes.
 *
 * <p>To add an engine: implement this interface, and list the class in
 * {@code META-INF/services/dev.pollen.net.tls.TlsEngineProvider}.
 *
 * <p><b>Threading:</b> implementations must be thread-safe and cheap to construct (the service
 * loader makes one per look-up).
 */
public interface TlsEngineProvider {

    /**
     * The engine's name, as {@link TlsConfig.Builder#engine(String)} takes it.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return e.g. "jdk", "openssl"
     */
    String name();

    /**
     * Whether the engine can run here (its native library loads, for instance), and why not.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the verdict with a reason a user can act on
     */
    Availability availability();

    /**
     * Builds the engine factory for one configuration: loads the key material and trust into
     * the engine's own context object once.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param config the configuration (its key manager, trust manager, protocols, ...)
     * @return the factory of per-connection engines
     * @throws GeneralSecurityException if the engine refuses the configuration
     */
    TlsEngineFactory create(TlsConfig config) throws GeneralSecurityException;
}
