package dev.pollen.linux.uring;

import dev.pollen.spi.Poller;
import dev.pollen.spi.Pollers;
import dev.pollen.testkit.KitBackend;

/**
 * The io_uring poller under the conformance kit ({@code -Dpollen.kit.backend=io_uring}): it runs
 * every contract; where io_uring is unavailable (old kernel, {@code io_uring_disabled}, seccomp)
 * every test skips with the provider's reason.
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
public final class IoUringKit implements KitBackend {

    /** Made by the kit, once per test. */
    public IoUringKit() {
    }

    @Override
    public String name() {
        return IoUringPoller.NAME;
    }

    @Override
    public Poller newPoller() {
        return IoUringTesting.newPoller();
    }

    /** Another provider (nio), to check that sockets never move between providers. */
    @Override
    public Poller newPollerOfAnotherProvider() {
        return Pollers.create("nio");
    }

    /** Children are thread-free here too: the POSIX layer's posix_spawn and a pidfd on the ring. */
    @Override
    public boolean subprocessesWatchedByLoop() {
        return true;
    }

    /** Linux {@code sendfile(2)} through pollen-posix's binding. */
    @Override
    public boolean sendfileZeroCopy() {
        return true;
    }

    /** The POSIX socket layer splices on Linux. */
    @Override
    public boolean splices() {
        return true;
    }
}
