package dev.pollen.tls.openssl;

import dev.pollen.linux.epoll.EpollPollerProvider;
import dev.pollen.spi.Poller;
import dev.pollen.testkit.TlsContract;
import org.junit.jupiter.api.BeforeEach;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The TLS contract with the OpenSSL engine on the epoll poller (Linux). */
class OpenSslEpollTlsTest extends TlsContract {

    private static final EpollPollerProvider EPOLL = new EpollPollerProvider();

    @BeforeEach
    void requireEpoll() {
        assumeTrue(EPOLL.availability().available(), () -> "epoll: "
                + EPOLL.availability().reason());
    }

    @Override
    protected Poller newPoller() {
        return EPOLL.availability().available() ? EPOLL.create()
                : new dev.pollen.testkit.ParkingPoller();
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
