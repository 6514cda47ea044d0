package dev.pollen.macos.kqueue;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The coalescing of {@code wakeup()}: at most one kernel trigger between two polls, and none at
 * all while the loop is awake (Netty's "loop may be blocked" idea).
 *
 * <p>States: AWAKE (the loop is running callbacks), BLOCKING (the loop is in, or about to enter,
 * a blocking {@code kevent}), WOKEN (a wakeup was requested and not yet consumed by a poll).
 * <ul>
 *   <li>{@link #requestWakeup()} moves to WOKEN and says "trigger" only when it found BLOCKING:
 *       only the first of a burst sees BLOCKING, and a loop that is awake is not triggered at all
 *       (its next poll sees WOKEN and does not block).</li>
 *   <li>{@link #enterWait()} moves AWAKE to BLOCKING; it fails when WOKEN, and the poll then does
 *       not block.</li>
 *   <li>{@link #exitWait()} moves back to AWAKE, consuming any wakeup requested meanwhile.</li>
 * </ul>
 * A trigger sent just as the loop left its wait for another reason makes the following poll
 * return early once (the user event uses EV_CLEAR, so one early return consumes it).
 *
 * <p><b>Threading:</b> {@link #requestWakeup()} and {@link #close()} on any thread; the rest on
 * the loop thread.
 */
final class WakeupGate {

    static final int AWAKE = 0;
    static final int WOKEN = 1;
    static final int BLOCKING = 2;
    static final int CLOSED = 3;

    private final AtomicInteger state = new AtomicInteger(AWAKE);

    /**
     * Records a wakeup request.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true if the caller must trigger the kernel (the loop is blocked and no other wakeup
     *         has triggered it since it blocked)
     */
    public boolean requestWakeup() {
        while (true) {
            int s = state.get();
            if (s == WOKEN || s == CLOSED) {
                return false;
            }
            if (state.compareAndSet(s, WOKEN)) {
                return s == BLOCKING;
            }
        }
    }

    /**
     * Called before a kernel wait that may block.
     *
     * <p><b>Threading:</b> loop thread.
     *
     * @return true if the wait may block; false if a wakeup is pending (poll without blocking)
     */
    public boolean enterWait() {
        return state.compareAndSet(AWAKE, BLOCKING);
    }

    /**
     * Called after every poll; consumes a pending wakeup.
     *
     * <p><b>Threading:</b> loop thread.
     *
     * @return true if a wakeup was requested since the last call
     */
    public boolean exitWait() {
        while (true) {
            int s = state.get();
            if (s == CLOSED) {
                return false;
            }
            if (state.compareAndSet(s, AWAKE)) {
                return s == WOKEN;
            }
        }
    }

    /** Makes every later request a no-op. <p><b>Threading:</b> any thread. */
    public void close() {
        state.set(CLOSED);
    }

    /** @return the current state, for tests */
    int state() {
        return state.get();
    }
}
