package dev.pollen.tls.openssl;

import dev.pollen.nio.NioPoller;
import dev.pollen.spi.Poller;
import dev.pollen.testkit.KitBackend;
import dev.pollen.testkit.Skip;
import dev.pollen.testkit.TlsContract;
import java.util.List;

/**
 * The TLS contract with the OpenSSL (BoringSSL) engine at both ends, on the nio poller, under the
 * conformance kit ({@code -Dpollen.kit.backend=openssl-nio}). The engine does not depend on the
 * poller, and every poller runs the TLS contract with the JDK's engine; {@link OpenSslEpollKit}
 * repeats it on epoll.
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
public class OpenSslNioKit implements KitBackend {

    /** Made by the kit, once per test. */
    public OpenSslNioKit() {
    }

    @Override
    public String name() {
        return "openssl-nio";
    }

    @Override
    public Poller newPoller() {
        return new NioPoller();
    }

    @Override
    public List<Skip> skips() {
        return List.of(Skip.allContractsBut("only the TLS contract depends on the TLS engine; the "
                + "poller modules run every other contract", TlsContract.class));
    }

    @Override
    public String tlsEngine() {
        return OpenSslTlsEngineProvider.NAME;
    }

    @Override
    public boolean tlsCanRenegotiate() {
        return false;
    }

    @Override
    public boolean tlsAlpnMismatchFails() {
        return false;
    }
}
