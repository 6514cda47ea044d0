package dev.pollen.bench.echo;

import dev.pollen.bench.AvailablePollers;
import dev.pollen.net.tls.TlsConfig;
import dev.pollen.net.tls.TlsKeys;
import dev.pollen.testkit.TlsMaterial;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLException;

/**
 * The TLS echo servers of {@code TlsBench}: {@code pollen:<engine>} is {@link PollenEchoServer}
 * with a TLS configuration on the best available poller; {@code netty:<engine>} is
 * {@link NettyEchoServer} with Netty's {@code SslHandler} in front of its echo handler (epoll,
 * else NIO). Engine {@code jdk} or {@code openssl} (Netty's {@code SslProvider.OPENSSL_REFCNT} on
 * both sides). Both present the test certificate (core's test material).
 *
 * <p><b>Threading:</b> any thread.
 */
public final class TlsEchoServers {

    private TlsEchoServers() {
    }

    /**
     * Starts a TLS echo server.
     *
     * @param spec {@code pollen:jdk}, {@code pollen:openssl}, {@code netty:jdk} or {@code netty:openssl}
     * @return the started server, listening on 127.0.0.1
     */
    public static EchoServer start(String spec) {
        String[] p = spec.split(":", 2);
        if (p.length != 2 || !(p[1].equals("jdk") || p[1].equals("openssl"))
                || !(p[0].equals("pollen") || p[0].equals("netty"))) {
            throw new IllegalArgumentException("server must be pollen:jdk, pollen:openssl, "
                    + "netty:jdk or netty:openssl; got '" + spec + "'");
        }
        TlsKeys keys = TlsMaterial.keys("server");
        if (p[0].equals("pollen")) {
            return new PollenEchoServer(AvailablePollers.pollen().get(0),
                    TlsConfig.forServer(keys).engine(p[1]).build());
        }
        try {
            return new NettyEchoServer(Epoll.isAvailable() ? "epoll" : "nio",
                    SslContextBuilder.forServer(keys.privateKey(), keys.certificateChain())
                            .sslProvider(p[1].equals("jdk") ? SslProvider.JDK
                                    : SslProvider.OPENSSL_REFCNT)
                            .build());
        } catch (SSLException e) {
            throw new IllegalStateException("Netty's SslContext (" + p[1] + "): " + e, e);
        }
    }
}
