package dev.pollen.loop;

/**
 * A callback scheduled for a point in time by {@link EventLoop#callLater} or
 * {@link EventLoop#callAt}. Cancelling removes it from the loop's timer queue at once, so
 * cancelled timers never accumulate.
 *
 * <p><b>Threading:</b> loop thread only, except {@link #when()} and {@link #isCancelled()}.
 */
public final class TimerHandle extends Handle {

    private final EventLoop loop;
    final long deadline;
    final long sequence;
    /** Position in the loop's timer heap, or -1 when not in it. */
    int heapIndex = -1;

    TimerHandle(EventLoop loop, long deadline, long sequence, Runnable callback) {
        super(callback);
        this.loop = loop;
        this.deadline = deadline;
        this.sequence = sequence;
    }

    /**
     * The loop time (see {@link EventLoop#time()}) at or after which the callback runs.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the deadline in nanoseconds of loop time
     */
    public long when() {
        return deadline;
    }

    /**
     * Cancels the timer and removes it from the loop's timer queue (O(log n)).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public void cancel() {
        if (!cancelled) {
            loop.checkThread("TimerHandle.cancel");
            cancelled = true;
            loop.timerCancelled(this);
        }
    }
}
