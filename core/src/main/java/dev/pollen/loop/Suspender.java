package dev.pollen.loop;

/**
 * The task layer's side of {@link Future#await()}: whatever is running on the loop thread and
 * able to suspend (a task) registers itself with {@link EventLoop#enterSuspender} while it runs.
 * Internal to the loop and task layers.
 */
interface Suspender {

    /**
     * Suspends the running task until {@code future} is done, then returns its result or throws
     * its exception.
     *
     * @param future a future of the same loop
     * @param <T>    its type
     * @return the result
     */
    <T> T suspendUntilDone(Future<T> future);
}
