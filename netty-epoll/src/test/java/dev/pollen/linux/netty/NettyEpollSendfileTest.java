package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.SendfileContract;

/** The sendfile contract on the netty-epoll poller. */
class NettyEpollSendfileTest extends SendfileContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
