package dev.pollen.spi;

/**
 * A kernel readiness multiplexer (epoll, kqueue, {@link java.nio.channels.Selector}, ...).
 * Backends extend {@link AbstractPoller}, which implements the generic half of this contract once.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threading.</b> A poller is confined to one thread, the loop thread: every method
 *       except {@link #wakeup()} must be called on it. {@code wakeup()} is the only thread-safe
 *       method.</li>
 *   <li><b>Level-triggered.</b> A source that stays ready is reported by every poll until the
 *       condition is consumed or the interest removed.</li>
 *   <li><b>Interest.</b> {@link #READ} and {@link #WRITE}. A zero mask means "registered but not
 *       watched": the source is taken out of the kernel's set (registering with a zero mask
 *       does not touch the kernel at all — an unbound socket in epoll's set can report EPOLLHUP
 *       forever, so registration is lazy).</li>
 *   <li><b>Hang-up and errors</b> are reported as readiness of the registered interest (see
 *       {@link IoHandler#onReady(int)}): a peer's close makes a READ-registered socket readable,
 *       and the read then returns end-of-stream.</li>
 *   <li><b>Wakeup</b> is coalesced: any number of {@code wakeup()} calls between two polls make
 *       exactly one poll return early, and leave nothing behind that would make a later poll
 *       return early.</li>
 *   <li><b>After {@link #close()}</b> {@code register} and {@code poll} (and
 *       {@link Registration#interest(int)}) throw {@link IllegalStateException}; {@code wakeup}
 *       does nothing; {@code name}, {@code sockets} and {@code isClosed} still answer; all
 *       registrations are invalid; the sources themselves are not closed (their owners close
 *       them).</li>
 *   <li><b>Thread interrupts</b> do not affect a poll: a backend whose wait would return at once
 *       while the thread's interrupt flag is set (a {@code Selector}, {@code LockSupport.park})
 *       clears the flag for the wait and restores it afterwards, so an interrupted loop thread
 *       never spins.</li>
 * </ul>
 */
public interface Poller extends AutoCloseable {

    /** Interest in, or readiness for, reading (or accepting, for a listening socket). */
    int READ = 1;

    /** Interest in, or readiness for, writing (or connect completion, for a connecting socket). */
    int WRITE = 2;

    /**
     * The provider name this poller was made by, e.g. {@code "epoll"} or {@code "nio"}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the provider's name
     */
    String name();

    /**
     * The socket primitives that make sources this poller can watch.
     *
     * <p><b>Threading:</b> any thread may obtain it; its methods are loop-thread only.
     *
     * @return this poller's socket layer
     */
    SocketLayer sockets();

    /**
     * Registers a source. With {@code ops == 0} nothing reaches the kernel until the interest
     * is raised with {@link Registration#interest(int)}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param source  an open source made by this poller's {@link #sockets()}
     * @param ops     initial interest, a subset of READ | WRITE
     * @param handler called with the readiness
     * @return the registration
     * @throws IllegalStateException    if this poller is closed, or the source is already
     *                                  registered with it
     * @throws IllegalArgumentException if the source is closed, belongs to another poller, or
     *                                  {@code ops} has other bits
     * @throws NullPointerException     if {@code source} or {@code handler} is null
     */
    Registration register(IoSource source, int ops, IoHandler handler);

    /**
     * Waits for readiness or a wakeup, then calls the handler of every ready registration once.
     *
     * <p>A negative timeout waits until readiness or a wakeup; zero checks without blocking; a
     * positive timeout waits at most that long, and <em>never returns early</em> because of its
     * own rounding: backends whose kernel takes milliseconds round up. A poll may return early
     * for a wakeup, an interrupt of the kernel wait (EINTR), or readiness.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param timeoutNanos how long to wait: negative forever, 0 not at all
     * @return how many handlers were called
     * @throws IllegalStateException if this poller is closed
     * @throws java.io.UncheckedIOException if the kernel wait itself fails
     */
    int poll(long timeoutNanos);

    /**
     * Makes the current or next {@link #poll(long)} return promptly. Coalesced (see the class
     * contract). After {@link #close()} it does nothing.
     *
     * <p><b>Threading:</b> any thread. This is the only thread-safe method of a poller.
     */
    void wakeup();

    /**
     * Releases the kernel object and the poller's native memory. Idempotent.
     *
     * <p><b>Threading:</b> loop thread only (or any thread once the loop thread is gone).
     */
    @Override
    void close();

    /**
     * Whether {@link #close()} was called.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true after close
     */
    boolean isClosed();
}
