package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ToolkitContract;

/** The toolkit contract on the netty-epoll poller. */
class NettyEpollToolkitTest extends ToolkitContract {
    @Override
    protected Poller newPoller() {
        return NettyEpollTesting.newPoller();
    }
}
