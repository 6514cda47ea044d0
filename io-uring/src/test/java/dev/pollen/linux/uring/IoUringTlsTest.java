package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.TlsContract;

/** The tls contract on the io_uring poller. */
class IoUringTlsTest extends TlsContract {
    @Override
    protected Poller newPoller() {
        return IoUringTesting.newPoller();
    }
}
