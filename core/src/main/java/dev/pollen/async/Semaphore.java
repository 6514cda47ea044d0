package dev.pollen.async;

import dev.pollen.loop.Future;
import java.util.ArrayDeque;
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
    private ArrayDeque<Future<Boolean>> waiters;
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
        if (value == 0) {
            return true;
        }
        if (waiters != null) {
            for (Future<Boolean> w : waiters) {
                if (!w.isCancelled()) {
                    return true;
                }
            }
        }
        return false;
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
        if (waiters == null) {
            waiters = new ArrayDeque<>();
        }
        Future<Boolean> fut = binding.loop(this).createFuture();
        waiters.add(fut);
        try {
            try {
                fut.await();
            } finally {
                waiters.remove(fut);
            }
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
        try {
            return body.call();
        } catch (Exception e) {
            throw Outcomes.rethrow(e);
        } finally {
            release();
        }
    }

    /**
     * Runs {@code body} holding a permit.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param body what to run
     */
    public void withPermit(Runnable body) {
        acquire();
        try {
            body.run();
        } finally {
            release();
        }
    }

    /** Hands a permit to the first waiter not already woken; false if there is none. */
    private boolean wakeUpNext() {
        if (waiters == null) {
            return false;
        }
        for (Future<Boolean> f : waiters) {
            if (!f.isDone()) {
                value--;
                f.setResult(true);
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[value=" + value
                + (waiters != null && !waiters.isEmpty() ? ", waiters:" + waiters.size() : "") + "]";
    }
}
