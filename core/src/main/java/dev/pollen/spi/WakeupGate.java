package dev.pollen.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The one place {@code wakeup()} is coalesced (see {@link AbstractPoller}): at most one kernel
 * signal per blocking wait, and none at all while the loop is awake.
 *
 * <p>States: AWAKE (the loop runs callbacks), BLOCKING (the loop is in, or about to enter, a wait
 * that may block), WOKEN (a wakeup was requested and no poll has returned since), CLOSED.
 * <ul>
 *   <li>{@link #requestWakeup()} moves to WOKEN and answers "signal" only when it found BLOCKING:
 *       only the first of a burst finds BLOCKING; a loop that is awake is not signalled (its next
 *       {@link #enterWait()} fails, so that poll does not block).</li>
 *   <li>{@link #enterWait()} moves AWAKE to BLOCKING and fails when a wakeup is pending.</li>
 *   <li>{@link #exitWait()} moves back to AWAKE, consuming a pending wakeup: the caller's poll is
 *       returning, and the loop runs what the waker handed in before it polls again.</li>
 * </ul>
 * Why no wakeup is lost: a waker publishes its work (say, into the loop's inbox) before it calls
 * {@link #requestWakeup()}. If that call found AWAKE or WOKEN, the loop has not yet entered the
 * wait that would miss the work: its {@code enterWait} finds WOKEN and does not block. If it found
 * BLOCKING, it signals the kernel. Either way the loop's next look at its inbox, after the poll,
 * sees the work.
 *
 * <p><b>Threading:</b> {@link #requestWakeup()}, {@link #isWoken()} and {@link #close()} on any
 * thread; {@link #enterWait()} and {@link #exitWait()} on the loop thread.
 */
final class WakeupGate {

    static final int AWAKE = 0;
    static final int WOKEN = 1;
    static final int BLOCKING = 2;
    static final int CLOSED = 3;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(WakeupGate.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    /**
     * Records a wakeup request.
     *
     * @return true if the caller must signal the kernel (the loop may be blocked and no other
     *         wakeup has signalled it since it began to block)
     */
    boolean requestWakeup() {
        while (true) {
            int s = state;
            if (s == WOKEN || s == CLOSED) {
                return false; // the cheap, common case of a burst: one volatile read
            }
            if (STATE.compareAndSet(this, s, WOKEN)) {
                return s == BLOCKING;
            }
        }
    }

    /**
     * Called before a wait that may block.
     *
     * @return true if the wait may block; false if a wakeup is pending (or closed)
     */
    boolean enterWait() {
        return STATE.compareAndSet(this, AWAKE, BLOCKING);
    }

    /**
     * Whether the current wait must end: a wakeup is pending or the gate is closed.
     *
     * @return true unless BLOCKING or AWAKE
     */
    boolean isWoken() {
        int s = state;
        return s == WOKEN || s == CLOSED;
    }

    /**
     * Called after every poll; consumes a pending wakeup.
     *
     * @return true if a wakeup was requested since the last call
     */
    boolean exitWait() {
        while (true) {
            int s = state;
            if (s == CLOSED) {
                return false;
            }
            if (s == AWAKE) {
                return false;
            }
            if (STATE.compareAndSet(this, s, AWAKE)) {
                return s == WOKEN;
            }
        }
    }

    /** Makes every later request a no-op. */
    void close() {
        state = CLOSED;
    }

    /** @return the current state, for tests */
    int state() {
        return state;
    }
}
