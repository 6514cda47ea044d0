package dev.pollen.async;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import dev.pollen.loop.ThrowingRunnable;
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
 *       the task running the body, whose pending await throws a cancellation; once the group is
 *       done, that request is withdrawn ({@link Task#uncancel()}), so {@link Task#cancelling()}
 *       is 1 inside the body while it is being cancelled and back to what it was afterwards.</li>
 *   <li>A task failing while {@code run} waits for the others at the end (the body has
 *       returned) cancels the others the same way.</li>
 *   <li>Every failure, of the body and of the tasks, is reported together in one
 *       {@link TaskGroupException}.</li>
 *   <li>Cancelling the task that runs the group cancels the group's tasks, waits for them, and
 *       propagates the cancellation. If a task fails meanwhile, the {@link TaskGroupException}
 *       wins, and the outside request stays pending on the task running the group
 *       ({@code cancelling()} unchanged): its next await is cancelled.</li>
 *   <li>{@link #cancel()} stops the group from inside or outside: its tasks and the body are
 *       cancelled, and {@code run} returns normally once they are done (asyncio 3.15's
 *       {@code TaskGroup.cancel()}).</li>
 *   <li>A task created by the group is added to it even when it is done at once (an
 *       {@linkplain dev.pollen.loop.EventLoop#createTask(String, Callable, boolean) eager task}):
 *       its end is handled by a done-callback in a later step, never inside
 *       {@code createTask} (CPython's fix gh-128550).</li>
 * </ul>
 * These are asyncio 3.13's rules (checked against CPython 3.13 by the parity test,
 * {@code docs/asyncio.md}), ported with their cancel-count bookkeeping, so groups nest with each
 * other and with {@link Timeout}. Python's {@code SystemExit} and {@code KeyboardInterrupt},
 * which asyncio lets through unwrapped, have no Java counterpart: every failure is collected.
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
        return createTask(name, body, loop.isEagerTasks());
    }

    /**
     * Creates a named task in this group, choosing whether it starts eagerly (see
     * {@link EventLoop#createTask(String, Callable, boolean)}; asyncio 3.14's
     * {@code create_task(..., eager_start=)}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param name       the task's name, or null
     * @param body       the task's body
     * @param eagerStart whether the body runs at once until its first suspension
     * @param <T>        its result type
     * @return the task (done already if it started eagerly and never suspended)
     * @throws IllegalStateException if the group is finished or shutting down (a task failed)
     */
    public <T> Task<T> createTask(String name, Callable<T> body, boolean eagerStart) {
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
        Task<T> t = loop.createTask(name, body, eagerStart);
        // Also when it is done already (it ran eagerly): the done-callback, not this call,
        // handles its end, so a failure never cancels the body in the middle of createTask.
        tasks.add(t);
        t.addDoneCallback(onTaskDone);
        if (aborting && !t.isDone()) {
            t.cancel(); // its eager start cancelled the group before it joined it
        }
        return t;
    }

    /**
     * As {@link #createTask(String, Callable, boolean)} for a body without a result.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param name       the task's name, or null
     * @param body       the task's body
     * @param eagerStart whether the body runs at once until its first suspension
     * @return the task
     */
    public Task<Void> createTask(String name, ThrowingRunnable body, boolean eagerStart) {
        return createTask(name, ThrowingRunnable.callable(body), eagerStart);
    }

    /**
     * Cancels the group (asyncio 3.15's {@code TaskGroup.cancel()}): every task of the group
     * that is not done and the task running the body are cancelled, and {@link #run(Body)}
     * returns normally (without a cancellation) once they are all done. Failures of the tasks
     * are still reported as a {@link TaskGroupException}; a cancellation of the body's task from
     * somebody else still propagates. Idempotent; does nothing once the group has finished.
     *
     * <p><b>Threading:</b> loop thread only (the body, one of the group's tasks, or any other
     * code on the loop).
     */
    public void cancel() {
        if (exiting && tasks.isEmpty()) {
            return;
        }
        if (!aborting) {
            abort();
            if (!parentCancelRequested) {
                parentCancelRequested = true;
                parent.cancel();
            }
        }
    }

    /**
     * As {@link #createTask(Callable)} for a body without a result.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param body the task's body
     * @return the task
     */
    public Task<Void> createTask(ThrowingRunnable body) {
        return createTask(null, ThrowingRunnable.callable(body));
    }

    private void exit(Throwable failure) {
        exiting = true;
        Throwable propagateCancel = failure instanceof CancellationException ? failure : null;
        if (failure != null && !aborting) {
            // The body failed, or our task is being cancelled: stop the group's tasks.
            abort();
        }
        // A loop: the wait can be cancelled several times if our task is cancelled repeatedly.
        CancellationException pendingCancel = null;
        while (!tasks.isEmpty()) {
            if (onCompleted == null) {
                onCompleted = loop.createFuture();
            }
            try {
                onCompleted.await();
            } catch (CancellationException e) {
                pendingCancel = e;
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
            } else if (propagateCancel == null) {
                // The request left is somebody else's, which arrived while we waited: keep it
                // (CPython gh-155433; matters after cancel(), where no error takes precedence).
                propagateCancel = pendingCancel;
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
        // Left: no error, and no cancellation to propagate (the body's cancellation, if any, was
        // our own, from cancel()): the group ends normally, as asyncio's __aexit__ returning true.
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
