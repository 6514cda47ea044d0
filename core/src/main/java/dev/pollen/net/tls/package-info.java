/**
 * TLS configuration for Pollen's stream transports: {@link dev.pollen.net.tls.TlsConfig} (what
 * asyncio's {@code ssl.SSLContext} is to {@code create_server(ssl=...)}), key material
 * ({@link dev.pollen.net.tls.TlsKeys}), the handshake failure
 * ({@link dev.pollen.net.tls.TlsHandshakeException} with its
 * {@link dev.pollen.net.tls.TlsHandshakeException.Reason}), and the engine SPI
 * ({@link dev.pollen.net.tls.TlsEngineProvider}) through which an OpenSSL/BoringSSL engine plugs
 * in. The transport itself is {@link dev.pollen.net.TlsTransport}; the entry points that take a
 * {@code TlsConfig} are in {@link dev.pollen.net.Net} and {@link dev.pollen.net.StreamWriter}.
 *
 * <p>This package depends on nothing else of Pollen's networking layer: only on the JDK's
 * {@code javax.net.ssl}.
 */
package dev.pollen.net.tls;
