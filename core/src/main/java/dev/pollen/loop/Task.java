package dev.pollen.loop;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A coroutine-like task: a {@link Future} whose result is computed by a body (a plain lambda or
 * method) that runs on the loop thread and may {@linkplain Future#await() await} futures
 * (asyncio's {@code Task}). Created by {@link EventLoop#createTask(Callable)}; its first step
 * runs in a later loop iteration, or at once, inside {@code createTask}, for an
 * {@linkplain EventLoop#createTask(String, Callable, boolean) eager task}.
 *
 * <p><b>Awaiting.</b> Inside the body, and inside anything it calls, {@code future.await()}
 * suspends only this task until the future is done, then returns its result or throws its
 * exception; meanwhile the loop thread runs other callbacks and tasks. There is no function
 * colouring: any method may await when it runs inside a task. Each resumption is one step of the
 * loop, as asyncio's {@code Task.__step}.
 *
 * <p><b>Cancellation</b> (asyncio's rules). {@link #cancel(String)} <em>requests</em>
 * cancellation: the await that is pending (or the next one) throws a {@link CancelledException}
 * inside the body, so {@code finally} blocks run; the body may catch it and go on. If the
 * exception escapes the body the task ends cancelled. Requests are counted: see
 * {@link #cancelling()} and {@link #uncancel()}. A task cancelled before its first step never
 * runs its body. A {@link CancellationException} thrown by the body (including one from an
 * awaited future that was cancelled) also ends the task cancelled.
 *
 * <p><b>Life time.</b> The loop holds a strong reference to a task until it is done (see
 * {@link EventLoop#allTasks()}). An exception that nobody retrieved is reported to the loop's
 * exception handler when the task is garbage-collected.
 *
 * <p><b>Hazards.</b> A task runs on the loop thread: {@link ThreadLocal} and
 * {@code ScopedValue} bindings belong to the loop thread, not to the task (use
 * {@link TaskLocal}); never hold a {@code synchronized} monitor or a
 * {@code java.util.concurrent} lock across an await (in debug mode the await throws an
 * {@link IllegalStateException} naming the lock); never block the loop thread (use
 * {@code Async.toThread}).
 *
 * <p><b>Threading:</b> loop thread only, like every future; {@link #isDone()},
 * {@link #isCancelled()} and {@link #name()} may be read from any thread.
 *
 * @param <T> the result type
 */
public final class Task<T> extends Future<T> {

    private static final AtomicLong NAMES = new AtomicLong();

    private static final int RUNNING = 0;
    private static final int RETURNED = 1;
    private static final int THREW = 2;
    private static final int CANCELLED = 3;

    final Step step;
    private Callable<? extends T> body;
    private Coroutine coroutine;
    private volatile String name;
    /** The future this task is suspended on (asyncio's {@code _fut_waiter}), or null. */
    private Future<?> waiter;
    /** A cancellation to deliver at the next resumption (asyncio's {@code _must_cancel}). */
    private boolean mustCancel;
    private String mustCancelMessage;
    private int cancelRequests;
    private boolean started;
    /** How the body ended, and with what (set inside the coroutine, read after it returns). */
    private int outcome = RUNNING;
    private Object outcomeValue;
    /** The CancellationException that ended the body, chained into later ones. */
    private Throwable cancelledBy;
    /** Task-local values: key, value, key, value, ... never mutated in place. */
    Object[] locals;
    Task<?> prevLive;
    Task<?> nextLive;

    Task(EventLoop loop, String name, Callable<? extends T> body, Object[] locals) {
        super(loop);
        this.body = body;
        this.name = name != null ? name : "Task-" + NAMES.incrementAndGet();
        this.locals = locals;
        this.step = new Step(this);
        this.coroutine = Coroutine.create(step);
    }

    /**
     * The task running on the calling thread (asyncio's {@code current_task()}), or null when the
     * caller is not inside a task (a plain callback, or a thread that runs no loop).
     *
     * <p><b>Threading:</b> any thread (answers for the calling thread).
     *
     * @return the running task or null
     */
    public static Task<?> current() {
        EventLoop l = EventLoop.currentOrNull();
        if (l == null) {
            return null;
        }
        return l.suspender instanceof Step s ? s.task : null;
    }

    /**
     * Lets the loop run one step of everything else that is ready, then resumes the calling task
     * (asyncio's {@code await asyncio.sleep(0)}).
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @throws IllegalStateException if not called inside a task
     * @throws CancelledException    if the task was cancelled meanwhile
     */
    public static void yieldNow() {
        Task<?> t = current();
        if (t == null) {
            throw new IllegalStateException("yieldNow() (sleep(0)) called outside a task: only code "
                    + "running inside a task (loop.createTask) can yield");
        }
        t.checkNoLocksHeld();
        t.loop.enqueue(t.step);
        try {
            t.coroutine.suspend();
        } catch (RuntimeException | Error e) {
            t.loop.unschedule(t.step);
            throw e;
        }
        t.deliverPendingCancel();
    }

    /**
     * The task's name (default {@code Task-<n>}).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Renames the task.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param name the new name, not null
     */
    public void setName(String name) {
        this.name = java.util.Objects.requireNonNull(name, "name");
    }

    /**
     * Requests cancellation (asyncio's {@code Task.cancel}): if the task is suspended on a
     * future, that future is cancelled, so the pending await throws {@link CancelledException}
     * inside the body at the task's next step; otherwise the next await (or the end of the
     * current step) delivers it. The request is counted (see {@link #cancelling()}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param message carried by the {@link CancelledException}, or null
     * @return false if the task is already done, true otherwise
     */
    @Override
    public boolean cancel(String message) {
        loop.checkThread("Task.cancel");
        if (isDone()) {
            return false;
        }
        cancelRequests++;
        Future<?> w = waiter;
        if (w != null && w.cancel(message)) {
            // The waiter's done-callback (our step) delivers the CancelledException.
            return true;
        }
        mustCancel = true;
        mustCancelMessage = message;
        return true;
    }

    /**
     * How many cancellation requests are pending: {@link #cancel(String)} calls not yet undone by
     * {@link #uncancel()} (asyncio's {@code Task.cancelling}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the number of pending requests
     */
    public int cancelling() {
        return cancelRequests;
    }

    /**
     * Withdraws one cancellation request (asyncio's {@code Task.uncancel}), as timeouts and task
     * groups do once they have handled the cancellation they caused. When no request is left, a
     * cancellation not yet delivered is dropped.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the number of requests left
     */
    public int uncancel() {
        if (cancelRequests > 0) {
            cancelRequests--;
            if (cancelRequests == 0) {
                mustCancel = false;
            }
        }
        return cancelRequests;
    }

    /**
     * Unsupported: a task's result comes from its body.
     *
     * @param result ignored
     * @throws UnsupportedOperationException always
     */
    @Override
    public void setResult(T result) {
        throw new UnsupportedOperationException("Task does not support setResult(): its result is "
                + "what its body returns");
    }

    /**
     * Unsupported: a task's exception comes from its body.
     *
     * @param exception ignored
     * @throws UnsupportedOperationException always
     */
    @Override
    public void setException(Throwable exception) {
        throw new UnsupportedOperationException("Task does not support setException(): its "
                + "exception is what its body throws");
    }

    @Override
    protected CancelledException newCancelledException() {
        CancelledException e = super.newCancelledException();
        if (cancelledBy != null) {
            e.initCause(cancelledBy);
        }
        return e;
    }

    // ------------------------------------------------------------------ the mechanism

    /** One step: run the body until it suspends or ends. Called by the loop through Step. */
    void step() {
        if (isDone() || coroutine == null) {
            return;
        }
        Future<?> w = waiter;
        if (w != null && !w.isDone()) {
            return; // not woken by its waiter (cannot happen through the public API): stay asleep
        }
        EventLoop l = loop;
        Suspender previous = l.enterSuspender(step);
        try {
            if (!started) {
                started = true;
                if (mustCancel) {
                    // Cancelled before its first step: asyncio throws CancelledError into the
                    // coroutine before it starts, so the body never runs.
                    mustCancel = false;
                    outcome = CANCELLED;
                    outcomeValue = new CancelledException(mustCancelMessage);
                } else {
                    coroutine.resume();
                }
            } else {
                coroutine.resume();
            }
        } catch (Throwable e) {
            // The mechanism itself failed (body exceptions are caught inside runBody).
            outcome = THREW;
            outcomeValue = e;
        } finally {
            l.exitSuspender(previous);
        }
        if (outcome != RUNNING) {
            finish();
        }
    }

    /** The coroutine's body: runs the user's body and records how it ended. */
    void runBody() {
        try {
            T r = body.call();
            outcomeValue = r;
            outcome = RETURNED;
        } catch (CancellationException e) {
            outcomeValue = e;
            outcome = CANCELLED;
        } catch (Throwable e) {
            outcomeValue = e;
            outcome = THREW;
        }
    }

    private void finish() {
        Object v = outcomeValue;
        int how = outcome;
        outcomeValue = null;
        body = null;
        coroutine = null;
        waiter = null;
        loop.tasks.remove(this);
        switch (how) {
            case RETURNED -> {
                if (mustCancel) {
                    // Cancel requested during the last step and never delivered (asyncio: the
                    // task is cancelled instead of returning).
                    mustCancel = false;
                    completeCancelled(mustCancelMessage);
                } else {
                    @SuppressWarnings("unchecked")
                    T r = (T) v;
                    completeResult(r);
                }
            }
            case CANCELLED -> {
                Throwable c = (Throwable) v;
                cancelledBy = c;
                completeCancelled(c.getMessage());
            }
            default -> {
                Throwable t = (Throwable) v;
                completeException(t); // errors too: the loop rethrows nothing (EventLoop)
            }
        }
    }

    /** Future.await() inside this task, for a future of the same loop. */
    <R> R suspendUntilDone(Future<R> f) {
        if (f == this) {
            throw new IllegalStateException("a task cannot await itself: " + this);
        }
        if (!f.isDone()) {
            checkNoLocksHeld();
            f.addDoneCallback(step);
            waiter = f;
            if (mustCancel && f.cancel(mustCancelMessage)) {
                // A cancel requested while this task ran: asyncio cancels the awaited future as
                // soon as the task yields it.
                mustCancel = false;
            }
            try {
                coroutine.suspend();
            } catch (RuntimeException | Error e) {
                f.removeDoneCallback(step); // the JDK refused to suspend (pinned)
                throw e;
            } finally {
                waiter = null;
            }
            if (mustCancel && (f.isCancelled()
                    || f.rawException() instanceof CancellationException)) {
                // Woken with a cancellation already (a second cancel() while the first was on
                // its way): that one is delivered, with its message, as asyncio's __step keeps
                // the CancelledError it was woken with.
                mustCancel = false;
            }
            deliverPendingCancel();
        }
        return f.result();
    }

    /** Debug mode: refuse to suspend while a lock is held (see {@link HeldLocks}). */
    private void checkNoLocksHeld() {
        if (loop.isDebug()) {
            String held = HeldLocks.describe();
            if (held != null) {
                throw new IllegalStateException("await() in task " + name + " while holding "
                        + held + ": a task must not hold a monitor or a java.util.concurrent lock "
                        + "across an await (other tasks on the loop thread would block on it or "
                        + "re-enter it); release it first (detected by debug mode)");
            }
        }
    }

    private void deliverPendingCancel() {
        if (mustCancel) {
            mustCancel = false;
            throw new CancelledException(mustCancelMessage);
        }
    }

    @Override
    public String toString() {
        String s = super.toString();
        int open = s.indexOf('[');
        return "Task[" + name + ", " + s.substring(open + 1);
    }
}
