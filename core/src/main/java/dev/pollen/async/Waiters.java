package dev.pollen.async;

import dev.pollen.loop.Future;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;

/**
 * The first-in, first-out queue of suspended tasks behind a {@link Lock} or {@link Semaphore}:
 * each waiter is a future that is set to {@code true} to wake it; a waiter leaves the queue when
 * its wait ends, woken or cancelled. The deque is created on first use.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class Waiters {

    private ArrayDeque<Future<Boolean>> queue;

    /**
     * Queues {@code fut}, awaits it and dequeues it however the wait ends.
     *
     * @throws java.util.concurrent.CancellationException if the waiting task is cancelled
     */
    void await(Future<Boolean> fut) {
        if (queue == null) {
            queue = new ArrayDeque<>();
        }
        queue.add(fut);
        try {
            fut.await();
        } finally {
            queue.remove(fut);
        }
    }

    /** Whether no waiter is left that is not cancelled (true when none waits at all). */
    boolean allCancelled() {
        if (queue != null) {
            for (Future<Boolean> w : queue) {
                if (!w.isCancelled()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The head of the queue, or null. */
    Future<Boolean> first() {
        return queue == null ? null : queue.peek();
    }

    /** The first waiter not already woken (or cancelled), or null. */
    Future<Boolean> firstNotDone() {
        if (queue != null) {
            for (Future<Boolean> f : queue) {
                if (!f.isDone()) {
                    return f;
                }
            }
        }
        return null;
    }

    /** {@code ", waiters:N"} for a {@code toString}, or "" when none waits. */
    String describe() {
        return queue != null && !queue.isEmpty() ? ", waiters:" + queue.size() : "";
    }

    /**
     * Runs {@code body} (already holding what {@code release} gives back), then releases.
     *
     * @throws java.util.concurrent.CompletionException wrapping a checked exception of the body
     */
    static <T> T callThenRelease(Callable<T> body, Runnable release) {
        try {
            return body.call();
        } catch (Exception e) {
            throw Outcomes.rethrow(e);
        } finally {
            release.run();
        }
    }
}
