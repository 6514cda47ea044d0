package dev.pollen.async;

import dev.pollen.loop.Future;
import java.util.Set;

/**
 * What {@link Async#wait} returns: the futures that are done and those still pending, each in the
 * order they were given (asyncio's {@code (done, pending)} pair).
 *
 * <p><b>Threading:</b> an immutable value; the futures in it are loop-thread-only.
 *
 * @param done    the futures that are done
 * @param pending the futures that are not
 * @param <T>     the futures' result type
 */
public record WaitResult<T>(Set<Future<? extends T>> done, Set<Future<? extends T>> pending) {
    /**
     * Copies both sets.
     *
     * @param done    the done futures
     * @param pending the pending futures
     */
    public WaitResult {
        done = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(done));
        pending = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(pending));
    }
}
