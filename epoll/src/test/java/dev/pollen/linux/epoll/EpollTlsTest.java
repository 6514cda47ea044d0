package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TlsContract;

/** The TLS contract on the JNA epoll poller. */
class EpollTlsTest extends TlsContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
