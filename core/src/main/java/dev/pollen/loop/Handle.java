package dev.pollen.loop;

/**
 * A callback scheduled on an {@link EventLoop} by {@link EventLoop#callSoon(Runnable)} or
 * {@link EventLoop#callSoonThreadsafe(Runnable)}; it can be cancelled until it runs.
 *
 * <p><b>Threading:</b> {@link #cancel()} is loop-thread only (for a handle from
 * {@code callSoonThreadsafe}, cancel it from the loop thread too, or accept that the cancel may
 * race with the run); {@link #isCancelled()} may be read from any thread.
 */
public class Handle {

    private final Runnable callback;
    volatile boolean cancelled;

    Handle(Runnable callback) {
        this.callback = callback;
    }

    /**
     * Prevents the callback from running. Does nothing if it already ran or was cancelled.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void cancel() {
        cancelled = true;
    }

    /**
     * Whether {@link #cancel()} was called.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true if cancelled
     */
    public boolean isCancelled() {
        return cancelled;
    }

    /** Runs the callback; the loop calls it only when not cancelled. */
    void invoke() {
        callback.run();
    }

    /** What the loop's exception handler and debug warnings call this callback. */
    Object describe() {
        return callback;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + describe() + (cancelled ? ", cancelled]" : "]");
    }
}
