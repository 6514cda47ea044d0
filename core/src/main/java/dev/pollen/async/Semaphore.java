package dev.pollen.async;

import dev.pollen.loop.Future;
import dev.pollen.loop.ThrowingRunnable;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

/**
 * A counter of permits for tasks (asyncio's {@code Semaphore}): {@link #acquire()} takes one,
 * suspending the calling task while none is free; {@link #release()} gives one back. Waiters are
 * served first-in, first-out: a newcomer does not overtake a task already waiting.
 *
 * <p><b>Threading:</b> loop thread only and not thread-safe, like asyncio's; bound to the loop
 * that first uses it. {@code acquire} inside a task.
 */
public class Semaphore {

    private final LoopBinding binding = new LoopBinding();
    private final Waiters waiters = new Waiters();
    private int value;

    /**
     * A semaphore with {@code value} permits.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param value the initial number of permits, at least 0
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public Semaphore(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("Semaphore initial value must be >= 0, got " + value);
        }
        this.value = value;
    }

    /**
     * A semaphore with one permit.
     *
     * <p><b>Threading:</b> any thread.
     */
    public Semaphore() {
        this(1);
    }

    /**
     * Whether {@link #acquire()} would suspend: no permit is free, or tasks already wait.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true if an acquire would wait
     */
    public boolean isLocked() {
        return value == 0 || !waiters.allCancelled();
    }

    /**
     * The number of free permits.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the free permits
     */
    public int availablePermits() {
        return value;
    }

    /**
     * Takes a permit, suspending the calling task until one is free and earlier waiters were
     * served.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (unless a permit is free).
     *
     * @throws dev.pollen.loop.CancelledException if cancelled while waiting (no permit is then
     *                                            taken)
     */
    public void acquire() {
        if (!isLocked()) {
            value--;
            return;
        }
        Future<Boolean> fut = binding.loop(this).createFuture();
        try {
            waiters.await(fut);
        } catch (CancellationException e) {
            if (fut.isDone() && !fut.isCancelled()) {
                // We were handed a permit but are cancelled before using it: give it back.
                value++;
            }
            throw e;
        } finally {
            // Waiters that arrived meanwhile had to queue behind us (FIFO): wake as many as the
            // free permits allow.
            while (value > 0) {
                if (!wakeUpNext()) {
                    break;
                }
            }
        }
    }

    /**
     * Gives a permit back and wakes the first waiter.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void release() {
        value++;
        wakeUpNext();
    }

    /**
     * Runs {@code body} holding a permit (asyncio's {@code async with sem}).
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param body what to run
     * @param <T>  its result type
     * @return the body's result
     */
    public <T> T withPermit(Callable<T> body) {
        acquire();
        return Waiters.callThenRelease(body, this::release);
    }

    /**
     * Runs {@code body} holding a permit.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param body what to run
     */
    public void withPermit(ThrowingRunnable body) {
        withPermit(ThrowingRunnable.callable(body));
    }

    /** Hands a permit to the first waiter not already woken; false if there is none. */
    private boolean wakeUpNext() {
        Future<Boolean> f = waiters.firstNotDone();
        if (f == null) {
            return false;
        }
        value--;
        f.setResult(true);
        return true;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[value=" + value
                + waiters.describe() + "]";
    }
}
