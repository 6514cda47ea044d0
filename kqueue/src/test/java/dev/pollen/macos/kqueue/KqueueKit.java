package dev.pollen.macos.kqueue;

import dev.pollen.posix.OsConstants;
import dev.pollen.posix.PosixProcessLayer;
import dev.pollen.spi.Poller;
import dev.pollen.testkit.KitBackend;
import dev.pollen.testkit.Skip;
import dev.pollen.testkit.SubprocessContract;
import java.util.List;

/**
 * The kqueue poller on the real kqueue under the conformance kit
 * ({@code -Dpollen.kit.backend=kqueue}): the OS's kqueue, or libkqueue with
 * {@code -Dpollen.kqueue.library=kqueue -Djna.library.path=DIR}. It runs every contract; where no
 * kqueue library loads (Linux without libkqueue, as in CI) every test skips with the reason.
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
public final class KqueueKit implements KitBackend {

    /** Made by the kit, once per test. */
    public KqueueKit() {
    }

    @Override
    public String name() {
        return "kqueue";
    }

    // Per test, not per class: a class-level skip shows as zero tests in the surefire report,
    // a per-test one as N skipped tests with the reason.
    @Override
    public void beforeEach() {
        RealKqueue.assumeAvailable();
    }

    @Override
    public Poller newPoller() {
        return RealKqueue.newPoller();
    }

    /**
     * Children are thread-free wherever the POSIX process layer can watch them the way
     * {@code -Dpollen.kqueue.childExit} asks: with a pidfd (Linux), or with {@code EVFILT_PROC}
     * wherever it can spawn; else the JDK fallback watches them.
     */
    @Override
    public boolean subprocessesWatchedByLoop() {
        return KqueueConfig.childExit() == KqueueConfig.ChildExit.PIDFD
                ? PosixProcessLayer.unavailableReason() == null
                : PosixProcessLayer.spawnUnavailableReason() == null;
    }

    @Override
    public List<Skip> skips() {
        return subprocessesWatchedByLoop() ? List.of()
                : List.of(SubprocessContract.skipOnTheJdkFallback());
    }

    /**
     * pollen-posix's {@code sendfile(2)} on Linux (libkqueue); macOS and FreeBSD keep the
     * read/write fallback.
     */
    @Override
    public boolean sendfileZeroCopy() {
        return OsConstants.current().os == OsConstants.Os.LINUX;
    }

    /** The POSIX socket layer splices on Linux (libkqueue there), not on the BSDs or macOS. */
    @Override
    public boolean splices() {
        return OsConstants.current().os == OsConstants.Os.LINUX;
    }
}
