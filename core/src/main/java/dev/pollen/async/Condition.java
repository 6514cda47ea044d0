package dev.pollen.async;

import dev.pollen.loop.Future;
import dev.pollen.loop.ThrowingRunnable;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * A condition variable for tasks (asyncio's {@code Condition}): a task holding the condition's
 * {@link Lock} may {@link #await()} until another task {@link #notify(int) notifies} it; the lock
 * is released while waiting and held again when {@code await} returns (also when it throws).
 *
 * <p><b>Threading:</b> loop thread only and not thread-safe, like asyncio's; bound to the loop
 * that first uses it. Awaiting methods inside a task.
 */
public final class Condition {

    private final LoopBinding binding = new LoopBinding();
    private final Lock lock;
    private final ArrayDeque<Future<Boolean>> waiters = new ArrayDeque<>();

    /**
     * A condition with its own new lock.
     *
     * <p><b>Threading:</b> any thread.
     */
    public Condition() {
        this(new Lock());
    }

    /**
     * A condition over an existing lock (several conditions may share one).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param lock the lock
     */
    public Condition(Lock lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    /**
     * Acquires the underlying lock. See {@link Lock#acquire()}.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     */
    public void acquire() {
        lock.acquire();
    }

    /**
     * Releases the underlying lock. See {@link Lock#release()}.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void release() {
        lock.release();
    }

    /**
     * Whether the underlying lock is held.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true if held
     */
    public boolean isLocked() {
        return lock.isLocked();
    }

    /**
     * Runs {@code body} holding the underlying lock (asyncio's {@code async with cond}).
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param body what to run
     * @param <T>  its result type
     * @return the body's result
     */
    public <T> T withLock(Callable<T> body) {
        return lock.withLock(body);
    }

    /**
     * Runs {@code body} holding the underlying lock.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param body what to run
     */
    public void withLock(ThrowingRunnable body) {
        lock.withLock(body);
    }

    /**
     * Releases the lock, suspends the task until notified, then acquires the lock again (asyncio's
     * {@code Condition.wait}). The lock is held again when this returns or throws; if the task is
     * cancelled, the cancellation is rethrown after re-acquiring.
     *
     * <p><b>Threading:</b> loop thread only, inside a task holding the lock.
     *
     * @return true
     * @throws IllegalStateException if the lock is not held
     */
    public boolean await() {
        if (!lock.isLocked()) {
            throw new IllegalStateException("cannot wait on an un-acquired lock");
        }
        try {
            lock.release();
            try {
                Future<Boolean> fut = binding.loop(this).createFuture();
                waiters.add(fut);
                try {
                    fut.await();
                    return true;
                } finally {
                    waiters.remove(fut);
                }
            } finally {
                // Must re-acquire the lock even if the wait is cancelled (a cancel during the
                // re-acquire is remembered and rethrown once we hold the lock).
                CancellationException err = null;
                while (true) {
                    try {
                        lock.acquire();
                        break;
                    } catch (CancellationException e) {
                        err = e;
                    }
                }
                if (err != null) {
                    throw err;
                }
            }
        } catch (RuntimeException | Error e) {
            // The exception may have come after we were notified: pass the notification on,
            // so it is not lost (a spurious wakeup, which the protocol allows).
            notifyWaiters(1);
            throw e;
        }
    }

    /**
     * Waits until {@code predicate} is true, re-checking it after each notification.
     *
     * <p><b>Threading:</b> loop thread only, inside a task holding the lock.
     *
     * @param predicate the condition, evaluated with the lock held
     * @return the predicate's last value (true)
     */
    public boolean awaitFor(BooleanSupplier predicate) {
        Objects.requireNonNull(predicate, "predicate");
        boolean result = predicate.getAsBoolean();
        while (!result) {
            await();
            result = predicate.getAsBoolean();
        }
        return result;
    }

    /**
     * Wakes up to {@code n} waiting tasks (they run once they get the lock back).
     *
     * <p><b>Threading:</b> loop thread only, holding the lock.
     *
     * @param n how many to wake, at least 0
     * @throws IllegalStateException if the lock is not held
     */
    public void notify(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("notify: n must be >= 0, got " + n);
        }
        if (!lock.isLocked()) {
            throw new IllegalStateException("cannot notify on an un-acquired lock");
        }
        notifyWaiters(n);
    }

    /**
     * Wakes one waiting task. Named {@code notifyOne} because {@code Object.notify()} is taken.
     *
     * <p><b>Threading:</b> loop thread only, holding the lock.
     */
    public void notifyOne() {
        notify(1);
    }

    /**
     * Wakes every waiting task (asyncio's {@code notify_all}).
     *
     * <p><b>Threading:</b> loop thread only, holding the lock.
     */
    public void notifyAllWaiters() {
        notify(waiters.size());
    }

    private void notifyWaiters(int n) {
        int woken = 0;
        for (Future<Boolean> f : waiters) {
            if (woken >= n) {
                break;
            }
            if (!f.isDone()) {
                woken++;
                f.setResult(false);
            }
        }
    }

    @Override
    public String toString() {
        return "Condition[" + lock + (waiters.isEmpty() ? "" : ", waiters:" + waiters.size()) + "]";
    }
}
