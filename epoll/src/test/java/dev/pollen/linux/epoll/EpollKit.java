package dev.pollen.linux.epoll;

import dev.pollen.spi.Poller;
import dev.pollen.spi.Pollers;
import dev.pollen.testkit.KitBackend;

/**
 * The JNA epoll poller under the conformance kit ({@code -Dpollen.kit.backend=epoll}): it runs
 * every contract; off Linux every test skips with the reason, on Linux epoll must load.
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
public final class EpollKit implements KitBackend {

    /** Made by the kit, once per test. */
    public EpollKit() {
    }

    @Override
    public String name() {
        return "epoll";
    }

    @Override
    public void beforeEach() {
        EpollTesting.requireEpoll();
    }

    @Override
    public Poller newPoller() {
        return EpollTesting.newPoller();
    }

    /** Another provider (nio), to check that sockets never move between providers. */
    @Override
    public Poller newPollerOfAnotherProvider() {
        return Pollers.create("nio");
    }

    /** Children are thread-free on epoll: posix_spawn and a pidfd on the loop. */
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
