package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ToolkitContract;

/** The toolkit contract on the JNA epoll poller. */
class EpollToolkitTest extends ToolkitContract {
    @Override
    protected Poller newPoller() {
        return EpollTesting.newPoller();
    }
}
