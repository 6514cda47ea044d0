package dev.pollen.tls.openssl;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.linux.epoll.EpollPollerProvider;
import dev.pollen.spi.Poller;

/**
 * The TLS contract with the OpenSSL engine on the epoll poller, under the conformance kit
 * ({@code -Dpollen.kit.backend=openssl-epoll}): Linux; elsewhere every test skips with the reason.
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
public final class OpenSslEpollKit extends OpenSslNioKit {

    private static final EpollPollerProvider EPOLL = new EpollPollerProvider();

    /** Made by the kit, once per test. */
    public OpenSslEpollKit() {
    }

    @Override
    public String name() {
        return "openssl-epoll";
    }

    @Override
    public void beforeEach() {
        assumeTrue(EPOLL.availability().available(), () -> "epoll: "
                + EPOLL.availability().reason());
    }

    @Override
    public Poller newPoller() {
        return EPOLL.create();
    }
}
