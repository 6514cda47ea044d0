package dev.pollen.macos.kqueue;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.SubprocessContract;
import org.junit.jupiter.api.BeforeEach;

/**
 * The conformance kit's {@link SubprocessContract} on the real kqueue (the OS's, or libkqueue
 * with {@code -Dpollen.kqueue.library=kqueue}); skipped with the reason where none loads.
 */
class KqueueSubprocessTest extends SubprocessContract {

    @BeforeEach
    void requireKqueue() {
        RealKqueue.assumeAvailable();
    }

    /** Thread-free wherever the POSIX process layer loads (Linux, with libkqueue). */
    @Override
    protected boolean expectsThreadFreeChildren() {
        return dev.pollen.posix.PosixProcessLayer.unavailableReason() == null;
    }

    @Override
    protected Poller newPoller() {
        return RealKqueue.newPoller();
    }
}
