package dev.pollen.macos.kqueue;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.ProxyContract;
import org.junit.jupiter.api.BeforeEach;

/**
 * The conformance kit's {@link ProxyContract} on the real kqueue (the OS's, or libkqueue with
 * {@code -Dpollen.kqueue.library=kqueue}); skipped with the reason where none loads.
 */
class KqueueProxyTest extends ProxyContract {

    // Per test, not @BeforeAll: a class-level skip shows as zero tests in the surefire report,
    // a per-test one as N skipped tests with the reason.
    @BeforeEach
    void requireKqueue() {
        RealKqueue.assumeAvailable();
    }

    @Override
    protected Poller newPoller() {
        return RealKqueue.newPoller();
    }
}
