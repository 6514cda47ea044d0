package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ToolkitContract;

/** The toolkit contract on the io_uring poller. */
class IoUringToolkitTest extends ToolkitContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
