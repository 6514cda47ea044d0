package dev.pollen.async;

import dev.pollen.loop.Future;
import java.util.ArrayDeque;

/**
 * A flag tasks can wait for (asyncio's {@code Event}): {@link #set()} wakes every task waiting in
 * {@link #await()}; while set, {@code await} returns at once; {@link #clear()} resets it.
 *
 * <p><b>Threading:</b> loop thread only and not thread-safe, like asyncio's; bound to the loop
 * that first uses it. From another thread, set it through {@code loop.callSoonThreadsafe}.
 */
public final class Event {

    private final LoopBinding binding = new LoopBinding();
    private final ArrayDeque<Future<Boolean>> waiters = new ArrayDeque<>();
    private boolean value;

    /**
     * Creates a cleared event.
     *
     * <p><b>Threading:</b> any thread.
     */
    public Event() {
    }

    /**
     * Whether the event is set.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true if set
     */
    public boolean isSet() {
        return value;
    }

    /**
     * Sets the event and wakes every waiting task.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void set() {
        if (!value) {
            value = true;
            for (Future<Boolean> f : waiters) {
                if (!f.isDone()) {
                    f.setResult(true);
                }
            }
        }
    }

    /**
     * Clears the event: later waits suspend until it is set again.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void clear() {
        value = false;
    }

    /**
     * Suspends the calling task until the event is set (returns at once if it is). Named after
     * asyncio's {@code Event.wait}; Java's {@code Object.wait} is taken.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (unless set).
     *
     * @return true
     * @throws dev.pollen.loop.CancelledException if the task is cancelled while waiting
     */
    public boolean await() {
        if (value) {
            return true;
        }
        Future<Boolean> fut = binding.loop(this).createFuture();
        waiters.add(fut);
        try {
            fut.await();
            return true;
        } finally {
            waiters.remove(fut);
        }
    }

    @Override
    public String toString() {
        return "Event[" + (value ? "set" : "unset")
                + (waiters.isEmpty() ? "" : ", waiters:" + waiters.size()) + "]";
    }
}
