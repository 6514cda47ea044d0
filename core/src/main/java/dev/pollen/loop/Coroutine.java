package dev.pollen.loop;

/**
 * A stackful coroutine that the loop steps: the mechanism under {@link Task}, kept behind this
 * small interface so it can be swapped (today: {@link ContinuationCoroutine}). Internal.
 *
 * <p><b>Threading:</b> loop thread only.
 */
interface Coroutine {

    /**
     * Runs the body from where it last suspended until it suspends again or ends. Exceptions of
     * the body do not escape (the task catches them inside the body); an exception from here is
     * a failure of the mechanism itself.
     */
    void resume();

    /**
     * Suspends the running body: control returns from the {@link #resume()} that is running it.
     * Returns when the coroutine is resumed. Called only from inside the body.
     *
     * @throws IllegalStateException if the JDK refuses to suspend (the stack is pinned, e.g. by a
     *                               monitor on JDK 21 to 23 or by a native frame)
     */
    void suspend();

    /**
     * Whether the body has ended.
     *
     * @return true once the body returned or threw
     */
    boolean isDone();

    /**
     * A new, not yet started coroutine running {@code body}.
     *
     * @param body what to run
     * @return the coroutine
     * @throws IllegalStateException if coroutines are unavailable in this JVM (the message says
     *                               how to enable them)
     */
    static Coroutine create(Runnable body) {
        return ContinuationCoroutine.create(body);
    }

    /**
     * Why coroutines are unavailable in this JVM, or null if they are available.
     *
     * @return the reason with the fix, or null
     */
    static String unavailableReason() {
        return ContinuationCoroutine.UNAVAILABLE;
    }
}
