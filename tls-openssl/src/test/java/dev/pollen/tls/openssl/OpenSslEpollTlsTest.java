package dev.pollen.tls.openssl;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.linux.epoll.EpollPollerProvider;
import dev.pollen.spi.Poller;
import dev.pollen.testkit.ParkingPoller;
import org.junit.jupiter.api.BeforeEach;

/** The TLS contract with the OpenSSL engine on the epoll poller (Linux; skipped elsewhere). */
class OpenSslEpollTlsTest extends OpenSslTlsTest {

    private static final EpollPollerProvider EPOLL = new EpollPollerProvider();

    @BeforeEach
    void requireEpoll() {
        assumeTrue(EPOLL.availability().available(), () -> "epoll: "
                + EPOLL.availability().reason());
    }

    @Override
    protected Poller newPoller() {
        return EPOLL.availability().available() ? EPOLL.create() : new ParkingPoller();
    }
}
