package dev.pollen.group;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * One {@link LoopGroup#submit} hand-off: runs the work on the loop thread and completes a
 * {@link CompletableFuture} with its result or exception.
 *
 * <p><b>Running or rejected, never both, never neither.</b> A submission that raced with the start
 * of a shutdown may have been queued on a loop that is about to stop. Its submitter then calls
 * {@link #reject}, the loop calls {@link #run}; whichever claims the submission first (one CAS)
 * decides: the work runs, or the future fails with a {@link RejectedExecutionException}.
 *
 * <p><b>Threading:</b> {@link #run} on the loop thread; {@link #reject} from the submitter.
 *
 * @param <T> the result type
 */
final class Submission<T> extends CompletableFuture<T> implements Runnable {

    private static final int NEW = 0;
    private static final int CLAIMED = 1;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Submission.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Supplier<? extends T> work;
    @SuppressWarnings("unused") // through STATE
    private volatile int state;

    Submission(Supplier<? extends T> work) {
        this.work = work;
    }

    @Override
    public void run() {
        if (!STATE.compareAndSet(this, NEW, CLAIMED)) {
            return; // rejected by its submitter meanwhile
        }
        if (isDone()) {
            return; // the caller cancelled the future before it ran
        }
        T result;
        try {
            result = work.get();
        } catch (Throwable e) {
            completeExceptionally(e); // errors too: the loop rethrows nothing (EventLoop)
            return;
        }
        complete(result);
    }

    /**
     * Fails the submission unless the loop already claimed it.
     *
     * @return true if rejected (the work will never run)
     */
    boolean reject(RejectedExecutionException reason) {
        if (STATE.compareAndSet(this, NEW, CLAIMED)) {
            completeExceptionally(reason);
            return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return "LoopGroup.submit(" + work + ")" + super.toString();
    }
}
