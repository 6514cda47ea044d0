package dev.pollen.async;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/**
 * Structured concurrency (asyncio's {@code TaskGroup}): tasks created in the group's body are
 * all finished when {@link #run(Body)} returns.
 *
 * <pre>{@code
 * TaskGroup.run(tg -> {
 *     Task<String> a = tg.createTask(() -> fetch("a"));
 *     Task<String> b = tg.createTask(() -> fetch("b"));
 * });   // both done here
 * }</pre>
 *
 * <ul>
 *   <li>{@code run} waits for every task of the group, also when the body throws.</li>
 *   <li>The first task that fails (with anything but a cancellation) cancels the other tasks and
 *       the task running the body, whose pending await throws a cancellation.</li>
 *   <li>Every failure, of the body and of the tasks, is reported together in one
 *       {@link TaskGroupException}.</li>
 *   <li>Cancelling the task that runs the group cancels the group's tasks, waits for them, and
 *       propagates the cancellation.</li>
 * </ul>
 * These are asyncio 3.12's rules, ported with their cancel-count bookkeeping
 * ({@link Task#uncancel()}), so groups nest with each other and with {@link Timeout}.
 *
 * <p><b>Threading:</b> loop thread only; {@code run} inside a task.
 */
public final class TaskGroup {

    /**
     * The body of a task group.
     *
     * <p><b>Threading:</b> runs in the task that called {@link TaskGroup#run(Body)}.
     */
    @FunctionalInterface
    public interface Body {
        /**
         * Creates the group's tasks (and may await).
         *
         * @param group the group
         * @throws Exception anything; it is reported with the tasks' failures
         */
        void run(TaskGroup group) throws Exception;
    }

    private final EventLoop loop;
    private final Task<?> parent;
    private final Set<Task<?>> tasks = new LinkedHashSet<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final Consumer<Future<?>> onTaskDone = this::onTaskDone;
    private boolean entered;
    private boolean exiting;
    private boolean aborting;
    private boolean parentCancelRequested;
    private Future<Boolean> onCompleted;

    private TaskGroup(Task<?> parent) {
        this.parent = parent;
        this.loop = parent.loop();
    }

    /**
     * Runs {@code body} with a new group in the calling task, then waits until every task of the
     * group is done.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param body creates the tasks
     * @throws TaskGroupException        if the body or any task failed (all failures inside)
     * @throws dev.pollen.loop.CancelledException if the calling task was cancelled
     * @throws IllegalStateException     if not called inside a task
     */
    public static void run(Body body) {
        Objects.requireNonNull(body, "body");
        Task<?> parent = Task.current();
        if (parent == null) {
            throw new IllegalStateException("TaskGroup.run must be called inside a task");
        }
        TaskGroup g = new TaskGroup(parent);
        g.entered = true;
        Throwable failure = null;
        try {
            body.run(g);
        } catch (Throwable e) {
            failure = e;
        }
        g.exit(failure);
    }

    /**
     * Creates a task in this group.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param body the task's body
     * @param <T>  its result type
     * @return the task
     * @throws IllegalStateException if the group is finished or shutting down (a task failed)
     */
    public <T> Task<T> createTask(Callable<T> body) {
        return createTask(null, body);
    }

    /**
     * Creates a named task in this group.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param name the task's name, or null
     * @param body the task's body
     * @param <T>  its result type
     * @return the task
     * @throws IllegalStateException if the group is finished or shutting down (a task failed)
     */
    public <T> Task<T> createTask(String name, Callable<T> body) {
        Objects.requireNonNull(body, "body");
        if (!entered) {
            throw new IllegalStateException(this + " has not been entered");
        }
        if (exiting && tasks.isEmpty()) {
            throw new IllegalStateException(this + " is finished");
        }
        if (aborting) {
            throw new IllegalStateException(this + " is shutting down: a task failed");
        }
        Task<T> t = loop.createTask(name, body);
        tasks.add(t);
        t.addDoneCallback(onTaskDone);
        return t;
    }

    /**
     * As {@link #createTask(Callable)} for a body without a result.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param body the task's body
     * @return the task
     */
    public Task<Void> createTask(Runnable body) {
        Objects.requireNonNull(body, "body");
        return createTask(null, () -> {
            body.run();
            return null;
        });
    }

    private void exit(Throwable failure) {
        exiting = true;
        Throwable propagateCancel = failure instanceof CancellationException ? failure : null;
        if (failure != null && !aborting) {
            // The body failed, or our task is being cancelled: stop the group's tasks.
            abort();
        }
        // A loop: the wait can be cancelled several times if our task is cancelled repeatedly.
        while (!tasks.isEmpty()) {
            if (onCompleted == null) {
                onCompleted = loop.createFuture();
            }
            try {
                onCompleted.await();
            } catch (CancellationException e) {
                if (!aborting) {
                    // Our task is cancelled from outside while the group's tasks run.
                    propagateCancel = e;
                    abort();
                }
            }
            onCompleted = null;
        }
        if (parentCancelRequested) {
            // We cancelled our own task to interrupt the body: withdraw that request; if nobody
            // else asked for a cancellation, do not propagate it.
            if (parent.uncancel() == 0) {
                propagateCancel = null;
            }
        }
        if (propagateCancel != null && errors.isEmpty()) {
            throw Outcomes.rethrow(propagateCancel);
        }
        if (failure != null && !(failure instanceof CancellationException)) {
            errors.add(failure);
        }
        if (!errors.isEmpty()) {
            // Our task is also being cancelled from outside: keep the request count stable.
            if (parent.cancelling() > 0) {
                parent.uncancel();
                parent.cancel();
            }
            throw new TaskGroupException(errors);
        }
        if (failure != null) {
            // As asyncio's __aexit__ returning false: the body's own exception goes on.
            throw Outcomes.rethrow(failure);
        }
    }

    private void abort() {
        aborting = true;
        for (Task<?> t : new ArrayList<>(tasks)) {
            if (!t.isDone()) {
                t.cancel();
            }
        }
    }

    private void onTaskDone(Future<?> done) {
        tasks.remove(done);
        if (onCompleted != null && tasks.isEmpty() && !onCompleted.isDone()) {
            onCompleted.setResult(true);
        }
        if (done.isCancelled()) {
            return;
        }
        Throwable e = done.exception();
        if (e == null) {
            return;
        }
        errors.add(e);
        if (parent.isDone()) {
            loop.callExceptionHandler(new ExceptionContext("task " + done + " of a TaskGroup "
                    + "failed after the task running the group was done", e, done));
            return;
        }
        if (!aborting && !parentCancelRequested) {
            // Interrupt whatever the body awaits right now; exit() withdraws this request.
            abort();
            parentCancelRequested = true;
            parent.cancel();
        }
    }

    @Override
    public String toString() {
        return "TaskGroup[" + tasks.size() + " tasks" + (aborting ? ", cancelling" : "")
                + (exiting ? ", exiting" : entered ? ", entered" : "") + "]";
    }
}
