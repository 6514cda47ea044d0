package dev.pollen.async;

/**
 * A meeting point for a fixed number of tasks (asyncio's {@code Barrier}): each task calling
 * {@link #await()} suspends until {@code parties} tasks have called it, then all go on. The
 * barrier is reusable: it fills, drains, and fills again.
 *
 * <p><b>Threading:</b> loop thread only and not thread-safe, like asyncio's; awaiting methods
 * inside a task.
 */
public final class Barrier {

    private enum State { FILLING, DRAINING, RESETTING, BROKEN }

    private final Condition cond = new Condition();
    private final int parties;
    private State state = State.FILLING;
    private int count;

    /**
     * A barrier for {@code parties} tasks.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param parties how many tasks must arrive, at least 1
     * @throws IllegalArgumentException if {@code parties} is less than 1
     */
    public Barrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("Barrier parties must be > 0, got " + parties);
        }
        this.parties = parties;
    }

    /**
     * Waits until {@code parties} tasks are waiting, then releases them all (asyncio's
     * {@code Barrier.wait}).
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @return this task's arrival index, 0 to {@code parties - 1}
     * @throws BrokenBarrierException if the barrier is broken, or is reset or aborted while waiting
     */
    public int await() {
        return cond.withLock(() -> {
            block(); // while the barrier drains or resets
            int index = count;
            count++;
            try {
                if (index + 1 == parties) {
                    state = State.DRAINING; // we are the last: release everybody
                    cond.notifyAllWaiters();
                } else {
                    cond.awaitFor(() -> state != State.FILLING);
                    if (state == State.BROKEN || state == State.RESETTING) {
                        throw new BrokenBarrierException("Abort or reset of barrier");
                    }
                }
                return index;
            } finally {
                count--;
                exit();
            }
        });
    }

    private void block() {
        cond.awaitFor(() -> state != State.DRAINING && state != State.RESETTING);
        if (state == State.BROKEN) {
            throw new BrokenBarrierException("Barrier aborted");
        }
    }

    /** The last task out of a draining (or resetting) barrier opens it for the next round. */
    private void exit() {
        if (count == 0) {
            if (state == State.RESETTING || state == State.DRAINING) {
                state = State.FILLING;
            }
            cond.notifyAllWaiters();
        }
    }

    /**
     * Resets the barrier to its initial state; tasks waiting in it get
     * {@link BrokenBarrierException}.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     */
    public void reset() {
        cond.withLock(() -> {
            if (count > 0) {
                if (state != State.RESETTING) {
                    state = State.RESETTING;
                }
            } else {
                state = State.FILLING;
            }
            cond.notifyAllWaiters();
        });
    }

    /**
     * Breaks the barrier: waiting tasks and later callers of {@link #await()} get
     * {@link BrokenBarrierException}.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     */
    public void abort() {
        cond.withLock(() -> {
            state = State.BROKEN;
            cond.notifyAllWaiters();
        });
    }

    /**
     * How many tasks must arrive.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the parties
     */
    public int parties() {
        return parties;
    }

    /**
     * How many tasks wait in the barrier while it fills.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the number of waiting tasks
     */
    public int waiting() {
        return state == State.FILLING ? count : 0;
    }

    /**
     * Whether the barrier is broken.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true after {@link #abort()}
     */
    public boolean isBroken() {
        return state == State.BROKEN;
    }

    @Override
    public String toString() {
        return "Barrier[" + state.name().toLowerCase(java.util.Locale.ROOT) + ", waiters:"
                + waiting() + "/" + parties + "]";
    }
}
