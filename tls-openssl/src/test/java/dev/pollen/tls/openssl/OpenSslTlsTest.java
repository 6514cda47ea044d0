package dev.pollen.tls.openssl;

import dev.pollen.nio.NioPoller;
import dev.pollen.spi.Poller;
import dev.pollen.testkit.TlsContract;

/**
 * The TLS contract with the OpenSSL (BoringSSL) engine at both ends, on the nio poller (the
 * engine does not depend on the poller; every poller runs the contract with the JDK engine).
 */
class OpenSslTlsTest extends TlsContract {

    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }

    @Override
    protected String engine() {
        return OpenSslTlsEngineProvider.NAME;
    }

    @Override
    protected boolean canRenegotiate() {
        return false;
    }

    @Override
    protected boolean alpnMismatchFails() {
        return false;
    }
}
