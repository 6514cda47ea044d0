package dev.pollen.macos.kqueue;

import dev.pollen.posix.OsConstants;
import dev.pollen.posix.PosixProcessLayer;
import dev.pollen.spi.Poller;
import dev.pollen.testkit.KitBackend;
import dev.pollen.testkit.Skip;
import dev.pollen.testkit.SubprocessContract;
import dev.pollen.testkit.TlsContract;
import java.util.List;

/**
 * The kqueue poller over the strict libkqueue emulation ({@link EmulatedKqueue}) and real sockets
 * under the conformance kit ({@code -Dpollen.kit.backend=kqueue-emulated}): proves the poller's
 * own logic on any POSIX machine, including where no kqueue library loads, and fails a test that
 * sent a change the real libkqueue mishandles.
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
public final class EmulatedKqueueKit implements KitBackend {

    private final Emulated emulated = new Emulated();

    /** Made by the kit, once per test. */
    public EmulatedKqueueKit() {
    }

    @Override
    public String name() {
        return "kqueue-emulated";
    }

    @Override
    public Poller newPoller() {
        return emulated.newPoller();
    }

    @Override
    public void afterEach() {
        emulated.assertNoViolations();
    }

    @Override
    public List<Skip> skips() {
        Skip tls = Skip.test(TlsContract.class, "theLayerAllocatesNothingPerMessageOfItsOwn",
                "the libkqueue emulator allocates on every kevent call (about 1.6 KB per echo "
                        + "round trip, varying with timing), which hides the TLS layer's own "
                        + "figure; the real kqueue runs this test");
        return subprocessesWatchedByLoop() ? List.of(tls)
                : List.of(tls, SubprocessContract.skipOnTheJdkFallback());
    }

    /**
     * Children are thread-free wherever the POSIX process layer can watch them the way
     * {@code -Dpollen.kqueue.childExit} asks (the emulator has {@code EVFILT_PROC} too, over
     * {@code /proc}); else the JDK fallback watches them.
     */
    @Override
    public boolean subprocessesWatchedByLoop() {
        return KqueueConfig.childExit() == KqueueConfig.ChildExit.PIDFD
                ? PosixProcessLayer.unavailableReason() == null
                : PosixProcessLayer.spawnUnavailableReason() == null;
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
