package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.TimerHandle;
import java.time.Duration;

/**
 * The idle timeout of one stream transport: fires when no byte was read or written for the
 * configured time.
 *
 * <p>One loop timer per transport, re-armed lazily (Netty's {@code IdleStateHandler} way): every
 * read or write only stores the loop time ({@link #touch()}, one clock read and no allocation, and
 * nothing at all when the timeout is off); when the timer fires it compares the last activity with
 * the deadline and either reports the timeout or re-arms for the remaining time. So a busy
 * connection costs one timer per idle period, not one per read.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class IdleTimer implements Runnable {

    /** Longest accepted timeout: far beyond any use, and deadline arithmetic cannot overflow. */
    static final Duration MAX = Duration.ofDays(365L * 100);

    /** What happens when the connection has been idle for the whole timeout. */
    interface Expiry {
        /**
         * Called once, on the loop thread, when the timeout expires.
         *
         * @param idleNanos how long the connection was idle
         */
        void idleTimeout(long idleNanos);
    }

    private final EventLoop loop;
    private final Expiry expiry;
    private long timeoutNanos;
    private long lastActivity;
    private TimerHandle timer;
    private boolean started;
    private boolean stopped;

    IdleTimer(EventLoop loop, Expiry expiry) {
        this.loop = loop;
        this.expiry = expiry;
    }

    /**
     * Validates a timeout given by the user.
     *
     * @param what  the setting's name for the message
     * @param value null (none) or a positive duration up to {@link #MAX}
     * @throws IllegalArgumentException naming the setting when out of range
     */
    static void check(String what, Duration value) {
        if (value != null && (value.isNegative() || value.isZero() || value.compareTo(MAX) > 0)) {
            throw new IllegalArgumentException(what + " must be a positive duration of at most "
                    + MAX.toDays() + " days, or null for none; got " + value);
        }
    }

    /** Sets the timeout (null: none) and restarts the idle period from now. */
    void set(Duration timeout) {
        check("idle timeout", timeout);
        timeoutNanos = timeout == null ? 0 : timeout.toNanos();
        cancelTimer();
        if (started && !stopped) {
            arm();
        }
    }

    /** The timeout, or null. */
    Duration get() {
        return timeoutNanos == 0 ? null : Duration.ofNanos(timeoutNanos);
    }

    /** The connection is established: the first idle period begins. */
    void start() {
        started = true;
        if (!stopped) {
            arm();
        }
    }

    /** Bytes moved: the idle period starts again. The hot path: nothing when the timeout is off. */
    void touch() {
        if (timeoutNanos != 0) {
            lastActivity = loop.time();
        }
    }

    /** The connection is closed: never fire. */
    void stop() {
        stopped = true;
        cancelTimer();
    }

    private void arm() {
        if (timeoutNanos == 0) {
            return;
        }
        lastActivity = loop.time();
        timer = loop.callAt(lastActivity + timeoutNanos, this);
    }

    private void cancelTimer() {
        TimerHandle t = timer;
        if (t != null) {
            timer = null;
            t.cancel();
        }
    }

    @Override
    public void run() {
        timer = null;
        if (stopped || timeoutNanos == 0) {
            return;
        }
        long deadline = lastActivity + timeoutNanos;
        long now = loop.time();
        if (now - deadline >= 0) {
            stopped = true;
            expiry.idleTimeout(now - lastActivity);
        } else {
            // Activity since the timer was armed: wait for the rest of the new idle period.
            timer = loop.callAt(deadline, this);
        }
    }

    @Override
    public String toString() {
        return "IdleTimer[" + (timeoutNanos == 0 ? "off" : timeoutNanos / 1_000_000 + " ms") + "]";
    }
}
