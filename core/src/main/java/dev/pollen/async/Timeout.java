package dev.pollen.async;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Handle;
import dev.pollen.loop.Task;
import dev.pollen.loop.ThrowingRunnable;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

/**
 * A deadline over a block of code in a task (asyncio's {@code asyncio.timeout} /
 * {@code timeout_at} context manager).
 *
 * <pre>{@code
 * Timeout t = Async.timeout(Duration.ofSeconds(10));
 * String page = t.call(() -> {
 *     String head = fetchHead();              // awaits inside
 *     t.reschedule(loop.time() + extra);      // move the deadline while inside
 *     return head + fetchBody();
 * });
 * }</pre>
 *
 * <p>When the deadline passes while the block runs, the task is cancelled, so its pending await
 * throws a {@link dev.pollen.loop.CancelledException}; when that cancellation leaves the block,
 * it becomes a {@link TimeoutException} (with the cancellation as cause). Cancellations from
 * anyone else pass through unchanged: the scope counts requests with
 * {@link Task#cancelling()}/{@link Task#uncancel()} exactly as asyncio does, so nested timeouts
 * and task groups compose. If the block swallows the cancellation and returns normally, its
 * result is returned and {@link #expired()} says what happened.
 *
 * <p>The block is a lambda rather than a {@code try}-with-resources because Java's
 * {@code close()} cannot see the exception leaving the block, which it must replace.
 *
 * <p><b>Threading:</b> loop thread only; {@link #call}/{@link #run} inside a task. A timeout is
 * entered once.
 */
public final class Timeout {

    /** asyncio's states, with its names (used in messages and {@link #toString()}). */
    private enum State {
        CREATED("created"), ENTERED("active"), EXPIRING("expiring"), EXPIRED("expired"),
        EXITED("finished");

        final String label;

        State(String label) {
            this.label = label;
        }
    }

    /** The "no deadline" value of {@code when}. */
    private static final long NEVER = Long.MAX_VALUE;

    private long when;
    private State state = State.CREATED;
    private Task<?> task;
    private int cancellingAtEntry;
    private Handle timeoutHandle;
    private final Runnable onTimeout = this::onTimeout;

    private Timeout(long when) {
        this.when = when;
    }

    /**
     * A timeout {@code delay} from now on the running loop's clock (asyncio's
     * {@code timeout(delay)}); null means no deadline (it can be set later with
     * {@link #reschedule(long)}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param delay how long from now, or null for none
     * @return the timeout, not yet entered
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Timeout after(Duration delay) {
        if (delay == null) {
            return new Timeout(NEVER);
        }
        EventLoop loop = EventLoop.current();
        long now = loop.time();
        long d = Math.max(0, saturatedNanos(delay)); // a negative delay expires at once
        return new Timeout(d > NEVER - 1 - now ? NEVER - 1 : now + d);
    }

    /**
     * A timeout at an absolute time of the loop's clock, {@link EventLoop#time()} (asyncio's
     * {@code timeout_at(when)}).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param whenNanos the deadline in loop nanoseconds
     * @return the timeout, not yet entered
     */
    public static Timeout at(long whenNanos) {
        return new Timeout(whenNanos == NEVER ? NEVER - 1 : whenNanos);
    }

    /**
     * Runs {@code body} under this timeout in the calling task and returns its result.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param body the block
     * @param <R>  its result type
     * @return what the body returned
     * @throws TimeoutException      if the deadline passed and interrupted the body
     * @throws IllegalStateException if not inside a task, or this timeout was already entered
     * @throws java.util.concurrent.CompletionException wrapping a checked exception of the body;
     *                               unchecked ones pass through as they are
     */
    public <R> R call(Callable<R> body) {
        Objects.requireNonNull(body, "body");
        enter();
        R result;
        try {
            result = body.call();
        } catch (Throwable e) {
            throw Outcomes.rethrow(exit(e));
        }
        exit(null);
        return result;
    }

    /**
     * As {@link #call(Callable)} for a block without a result.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param body the block
     * @throws TimeoutException if the deadline passed and interrupted the body
     */
    public void run(ThrowingRunnable body) {
        call(ThrowingRunnable.callable(body));
    }

    /**
     * The deadline in loop nanoseconds, or empty when there is none.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the deadline
     */
    public OptionalLong when() {
        return when == NEVER ? OptionalLong.empty() : OptionalLong.of(when);
    }

    /**
     * Moves the deadline to {@code whenNanos} of the loop's clock; a time already past expires
     * the timeout in the next loop step.
     *
     * <p><b>Threading:</b> loop thread only, while the block runs.
     *
     * @param whenNanos the new deadline
     * @throws IllegalStateException if the block is not running, or the timeout already expired
     */
    public void reschedule(long whenNanos) {
        setDeadline(whenNanos == NEVER ? NEVER - 1 : whenNanos);
    }

    /**
     * Removes the deadline (asyncio's {@code reschedule(None)}).
     *
     * <p><b>Threading:</b> loop thread only, while the block runs.
     *
     * @throws IllegalStateException if the block is not running, or the timeout already expired
     */
    public void removeDeadline() {
        setDeadline(NEVER);
    }

    /**
     * Whether the deadline passed and the timeout cancelled the task.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true once expired
     */
    public boolean expired() {
        return state == State.EXPIRING || state == State.EXPIRED;
    }

    private void setDeadline(long newWhen) {
        if (state != State.ENTERED) {
            if (state == State.CREATED) {
                throw new IllegalStateException("Timeout has not been entered: call call()/run() "
                        + "first and reschedule inside the block");
            }
            throw new IllegalStateException("cannot change the deadline of a " + state.label
                    + " timeout");
        }
        when = newWhen;
        if (timeoutHandle != null) {
            timeoutHandle.cancel();
            timeoutHandle = null;
        }
        if (newWhen != NEVER) {
            EventLoop loop = task.loop();
            timeoutHandle = newWhen <= loop.time() ? loop.callSoon(onTimeout)
                    : loop.callAt(newWhen, onTimeout);
        }
    }

    private void enter() {
        if (state != State.CREATED) {
            throw new IllegalStateException("Timeout has already been entered");
        }
        Task<?> t = Task.current();
        if (t == null) {
            throw new IllegalStateException("Timeout should be used inside a task");
        }
        task = t;
        cancellingAtEntry = t.cancelling();
        state = State.ENTERED;
        setDeadline(when);
    }

    private void onTimeout() {
        task.cancel();
        state = State.EXPIRING;
        timeoutHandle = null;
    }

    /** Leaves the block; returns the exception to throw (e, or its TimeoutException). */
    private Throwable exit(Throwable e) {
        if (timeoutHandle != null) {
            timeoutHandle.cancel();
            timeoutHandle = null;
        }
        if (state == State.EXPIRING) {
            state = State.EXPIRED;
            // Only our own cancellation becomes a timeout: if other requests are pending, the
            // cancellation is theirs and must go on.
            if (task.uncancel() <= cancellingAtEntry && e instanceof CancellationException) {
                return new TimeoutException("the timeout of the block expired", e);
            }
        } else if (state == State.ENTERED) {
            state = State.EXITED;
        }
        return e;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    @Override
    public String toString() {
        return "Timeout[" + state.label + (when == NEVER ? "" : ", when=" + when) + "]";
    }
}
