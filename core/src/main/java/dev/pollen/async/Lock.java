package dev.pollen.async;

import dev.pollen.loop.Future;
import dev.pollen.loop.ThrowingRunnable;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

/**
 * A mutual-exclusion lock for tasks (asyncio's {@code Lock}): {@link #acquire()} suspends the
 * calling task, not the thread; waiters are served first-in, first-out. Not reentrant, and not
 * owned by a task: any code may release it.
 *
 * <pre>{@code
 * lock.acquire();
 * try { ... awaits allowed ... } finally { lock.release(); }
 * // or: lock.withLock(() -> ...);
 * }</pre>
 *
 * <p>Unlike a {@code java.util.concurrent} lock, holding it across an await is what it is for.
 *
 * <p><b>Threading:</b> loop thread only and not thread-safe, like asyncio's; bound to the loop
 * that first uses it. {@code acquire} inside a task.
 */
public final class Lock {

    private final LoopBinding binding = new LoopBinding();
    private final Waiters waiters = new Waiters();
    private boolean locked;

    /**
     * Creates an unlocked lock.
     *
     * <p><b>Threading:</b> any thread.
     */
    public Lock() {
    }

    /**
     * Acquires the lock, suspending the calling task until it is free and every earlier waiter
     * had its turn.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (unless the lock is free).
     *
     * @throws dev.pollen.loop.CancelledException if the task is cancelled while waiting (the lock
     *                                            is then not held)
     */
    public void acquire() {
        if (!locked && waiters.allCancelled()) {
            locked = true;
            return;
        }
        Future<Boolean> fut = binding.loop(this).createFuture();
        try {
            waiters.await(fut);
        } catch (CancellationException e) {
            // Keep the invariant: if the lock is free and tasks wait, the first one must wake.
            if (!locked) {
                wakeUpFirst();
            }
            throw e;
        }
        locked = true;
    }

    /**
     * Releases the lock and wakes the first waiter.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @throws IllegalStateException if the lock is not held
     */
    public void release() {
        if (!locked) {
            throw new IllegalStateException("Lock is not acquired");
        }
        locked = false;
        wakeUpFirst();
    }

    /**
     * Whether the lock is held.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true if held
     */
    public boolean isLocked() {
        return locked;
    }

    /**
     * Runs {@code body} holding the lock (asyncio's {@code async with lock}).
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param body what to run
     * @param <T>  its result type
     * @return the body's result
     * @throws java.util.concurrent.CompletionException wrapping a checked exception of the body
     */
    public <T> T withLock(Callable<T> body) {
        acquire();
        return Waiters.callThenRelease(body, this::release);
    }

    /**
     * Runs {@code body} holding the lock.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param body what to run
     */
    public void withLock(ThrowingRunnable body) {
        withLock(ThrowingRunnable.callable(body));
    }

    private void wakeUpFirst() {
        Future<Boolean> first = waiters.first();
        // A done waiter is already set to wake up.
        if (first != null && !first.isDone()) {
            first.setResult(true);
        }
    }

    @Override
    public String toString() {
        return "Lock[" + (locked ? "locked" : "unlocked")
                + waiters.describe() + "]";
    }
}
