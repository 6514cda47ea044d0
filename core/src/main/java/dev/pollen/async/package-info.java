/**
 * The asyncio toolkit on top of {@link dev.pollen.loop.Task}s: {@link dev.pollen.async.Async}
 * (the static facade: {@code sleep}, {@code gather}, {@code wait}, {@code waitFor},
 * {@code timeout}, {@code shield}, {@code asCompleted}, {@code taskGroup}, {@code toThread},
 * {@code run}, {@code runCoroutineThreadsafe}), structured concurrency
 * ({@link dev.pollen.async.TaskGroup}, {@link dev.pollen.async.Timeout}) and loop-bound
 * synchronisation ({@link dev.pollen.async.Lock}, {@link dev.pollen.async.Event},
 * {@link dev.pollen.async.Condition}, {@link dev.pollen.async.Semaphore},
 * {@link dev.pollen.async.BoundedSemaphore}, {@link dev.pollen.async.Barrier},
 * {@link dev.pollen.async.Queue}, {@link dev.pollen.async.PriorityQueue},
 * {@link dev.pollen.async.LifoQueue}).
 *
 * <p><b>Threading.</b> As asyncio's: everything here is loop-thread-only and not thread-safe;
 * a lock or queue belongs to the loop that first uses it. The exceptions are
 * {@link dev.pollen.async.Async#run} (any thread not running a loop) and
 * {@link dev.pollen.async.Async#runCoroutineThreadsafe} (any thread). Methods that await must
 * run inside a task.
 */
package dev.pollen.async;
