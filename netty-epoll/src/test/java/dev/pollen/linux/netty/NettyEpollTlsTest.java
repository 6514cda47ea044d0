package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TlsContract;

/** The TLS contract on the netty-epoll poller. */
class NettyEpollTlsTest extends TlsContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
