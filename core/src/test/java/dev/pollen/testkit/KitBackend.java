package dev.pollen.testkit;

import dev.pollen.spi.Poller;
import java.util.List;

/**
 * A backend under the conformance kit: how to make its pollers, what it cannot run (with the
 * reason), and the few facts a contract needs about it. A backend module implements this once,
 * lists the class in {@code META-INF/services/dev.pollen.testkit.KitBackend} of its test
 * resources, and runs the kit with {@code -Dpollen.kit.backend=}{@link #name()} (a surefire
 * execution; see docs/extending.md, "Running the conformance kit on a backend"). Every concrete
 * {@code *Contract} class of {@code dev.pollen.testkit} then runs on it; {@link KitCheck} fails
 * the run when a contract was neither run nor listed in {@link #skips()}.
 *
 * <p>The kit makes a new instance for every test (through its public no-argument constructor),
 * so an implementation may keep per-test state, such as the pollers it made.
 *
 * <p><b>Threading:</b> JUnit's test thread calls every method.
 */
public interface KitBackend {

    /**
     * The name {@code -Dpollen.kit.backend} selects this backend by, also shown in skip reasons
     * and used as the surefire report suffix.
     *
     * @return a short name, e.g. "epoll"
     */
    String name();

    /**
     * Makes a new poller of the backend. May skip the test (a JUnit assumption, with the reason)
     * where the backend cannot run on this machine, though {@link #beforeEach()} is the usual
     * place for that.
     *
     * @return a new, open poller
     */
    Poller newPoller();

    /**
     * Runs before every contract test, before the contract's own set-up: the place to skip (with
     * a JUnit assumption and its reason) where the backend is unavailable here, or to fail where
     * it must be available.
     */
    default void beforeEach() {
    }

    /**
     * Runs after every contract test, after the loops and resources it registered are closed:
     * the place for backend-specific checks such as "no change the real library mishandles".
     */
    default void afterEach() {
    }

    /**
     * What this backend does not run, each entry with its reason: the one place per backend where
     * a skip is declared. Skipped tests show as skipped with "skipped on NAME: REASON".
     *
     * @return the skips, empty (the default) when the backend runs every contract
     */
    default List<Skip> skips() {
        return List.of();
    }

    /**
     * A poller of another provider than {@link #newPoller()}'s, for {@code PollerContract}'s
     * cross-provider adoption case.
     *
     * @return a new poller of another provider, or null (the default) where there is none
     */
    default Poller newPollerOfAnotherProvider() {
        return null;
    }

    /**
     * Whether this backend watches subprocesses without a thread ({@code
     * Subprocess.watchedByLoop()} true: a process layer with posix_spawn and a pidfd or kqueue's
     * EVFILT_PROC) rather than through the JDK fallback's threads; {@code SubprocessContract}
     * checks every child against it.
     *
     * @return false (the JDK fallback) unless overridden
     */
    default boolean subprocessesWatchedByLoop() {
        return false;
    }

    /**
     * Whether {@code Net.sendfile} takes the zero-copy path (the socket's kernel file sender,
     * {@code StreamSocket.fileSender}) on this backend's plain TCP connections here;
     * {@code SendfileContract} checks every transfer against it through {@code Net.sendfileStats}.
     *
     * @return false (the read/write fallback) unless overridden
     */
    default boolean sendfileZeroCopy() {
        return false;
    }

    /**
     * The TLS engine both ends of {@code TlsContract} use.
     *
     * @return "jdk" unless overridden
     */
    default String tlsEngine() {
        return "jdk";
    }

    /**
     * Whether {@link #tlsEngine()} can start a renegotiation or key update.
     *
     * @return true (the JDK's engine) unless overridden
     */
    default boolean tlsCanRenegotiate() {
        return true;
    }

    /**
     * Whether a server whose ALPN list shares nothing with the client's fails the handshake
     * ({@code no_application_protocol}, the JDK's engine) rather than completing it without a
     * protocol (BoringSSL through Netty, which can only "not advertise").
     *
     * @return true (the JDK's engine) unless overridden
     */
    default boolean tlsAlpnMismatchFails() {
        return true;
    }

    /**
     * Whether {@code Net.pipe} between two plain TCP transports of this backend moves bulk
     * traffic with {@code splice(2)} ({@code Pipe.isSpliced()}); {@code SpliceContract} checks
     * every bulk pipe against it.
     *
     * @return false (the pipe copies) unless overridden
     */
    default boolean splices() {
        return false;
    }
}
