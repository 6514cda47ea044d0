package dev.pollen.loop;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The eventual result of an operation, bound to one {@link EventLoop} (asyncio's
 * {@code Future}, with Java names).
 *
 * <p>States: pending, then exactly one of result, exception or cancelled. Invalid transitions
 * throw {@link InvalidStateException}.
 *
 * <p><b>Done-callbacks are always scheduled through the loop</b>, never run inline, not even
 * when the future is already done when the callback is added: they run in a later step of the
 * loop, in the order they were added. (Netty's listeners run inline; asyncio's do not. This
 * follows asyncio, so a callback never runs in the middle of the code that completed the
 * future.)
 *
 * <p><b>Exceptions.</b> {@link #result()} and {@link #await()} rethrow a stored
 * {@link RuntimeException} or {@link Error} as it is; a checked exception is wrapped in a
 * {@link CompletionException} whose cause it is. A cancelled future throws
 * {@link CancelledException}. An exception that nobody retrieved (through {@code result()},
 * {@code exception()} or {@code await()}) is reported to the loop's exception handler when the
 * future is garbage-collected, like asyncio's "exception was never retrieved".
 *
 * <p><b>Threading:</b> loop thread only, like asyncio's futures; other threads complete a future
 * through {@link EventLoop#callSoonThreadsafe(Runnable)} or use {@link #toCompletableFuture()}.
 * {@link #isDone()} and {@link #isCancelled()} may be read from any thread.
 *
 * @param <T> the result type
 */
public class Future<T> {

    private static final int PENDING = 0;
    private static final int RESULT = 1;
    private static final int EXCEPTION = 2;
    private static final int CANCELLED = 3;

    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "pollen-unretrieved-exceptions");
        t.setDaemon(true);
        return t;
    });

    final EventLoop loop;
    private volatile int state;
    private Object value;
    private String cancelMessage;
    /** null, one Consumer, or an ArrayList of Consumers. */
    private Object callbacks;
    private UnretrievedReport unretrieved;

    /**
     * Creates a pending future bound to {@code loop}. Usually {@link EventLoop#createFuture()}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param loop the loop that runs its callbacks
     */
    public Future(EventLoop loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
    }

    /**
     * The loop this future belongs to.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the loop
     */
    public final EventLoop loop() {
        return loop;
    }

    /**
     * Whether the future has a result, an exception, or was cancelled.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true when done
     */
    public final boolean isDone() {
        return state != PENDING;
    }

    /**
     * Whether the future was cancelled.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true if cancelled
     */
    public final boolean isCancelled() {
        return state == CANCELLED;
    }

    /**
     * Cancels the future with no message. See {@link #cancel(String)}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true if it was pending and is now cancelled
     */
    public boolean cancel() {
        return cancel(null);
    }

    /**
     * Cancels the future: if pending, it becomes cancelled and its done-callbacks are scheduled.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param message a message carried by the {@link CancelledException}, or null
     * @return true if it was pending and is now cancelled, false if it was already done
     */
    public boolean cancel(String message) {
        loop.checkThread("Future.cancel");
        if (state != PENDING) {
            return false;
        }
        cancelMessage = message;
        complete(CANCELLED, null);
        return true;
    }

    /**
     * The result.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the result
     * @throws InvalidStateException if still pending
     * @throws CancelledException    if cancelled
     * @throws RuntimeException      the stored exception (checked ones wrapped in
     *                               {@link CompletionException})
     */
    @SuppressWarnings("unchecked")
    public T result() {
        switch (state) {
            case RESULT:
                return (T) value;
            case EXCEPTION:
                markRetrieved();
                throw rethrowable((Throwable) value);
            case CANCELLED:
                throw newCancelledException();
            default:
                throw new InvalidStateException("result() on a pending future: the result is not "
                        + "ready; await it, or add a done-callback");
        }
    }

    /**
     * The exception the future failed with.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the exception, or null if it has a result
     * @throws InvalidStateException if still pending
     * @throws CancelledException    if cancelled
     */
    public Throwable exception() {
        switch (state) {
            case RESULT:
                return null;
            case EXCEPTION:
                markRetrieved();
                return (Throwable) value;
            case CANCELLED:
                throw newCancelledException();
            default:
                throw new InvalidStateException("exception() on a pending future: it is not done");
        }
    }

    /**
     * Completes the future with a result and schedules its done-callbacks.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param result the result (may be null)
     * @throws InvalidStateException if already done
     */
    public void setResult(T result) {
        loop.checkThread("Future.setResult");
        if (state != PENDING) {
            throw new InvalidStateException("setResult on a future that is already done ("
                    + stateName() + "): " + this);
        }
        complete(RESULT, result);
    }

    /**
     * Completes the future with an exception and schedules its done-callbacks.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param exception the exception, not null
     * @throws InvalidStateException if already done
     * @throws NullPointerException  if {@code exception} is null
     */
    public void setException(Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        loop.checkThread("Future.setException");
        if (state != PENDING) {
            throw new InvalidStateException("setException on a future that is already done ("
                    + stateName() + "): " + this);
        }
        unretrieved = new UnretrievedReport(loop, exception, getClass().getSimpleName());
        CLEANER.register(this, unretrieved);
        complete(EXCEPTION, exception);
    }

    /**
     * Adds a callback run with this future once it is done. It is always scheduled through the
     * loop (see the class comment), also when the future is already done.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param callback receives this future
     */
    public void addDoneCallback(Consumer<? super Future<T>> callback) {
        Objects.requireNonNull(callback, "callback");
        loop.checkThread("Future.addDoneCallback");
        if (state != PENDING) {
            loop.scheduleDoneCallback(this, callback);
            return;
        }
        Object cbs = callbacks;
        if (cbs == null) {
            callbacks = callback;
        } else if (cbs instanceof ArrayList<?>) {
            @SuppressWarnings("unchecked")
            ArrayList<Object> list = (ArrayList<Object>) cbs;
            list.add(callback);
        } else {
            ArrayList<Object> list = new ArrayList<>(4);
            list.add(cbs);
            list.add(callback);
            callbacks = list;
        }
    }

    /**
     * Removes every registration of {@code callback} (compared with {@code equals}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param callback the callback to remove
     * @return how many were removed
     */
    public int removeDoneCallback(Consumer<? super Future<T>> callback) {
        Objects.requireNonNull(callback, "callback");
        loop.checkThread("Future.removeDoneCallback");
        Object cbs = callbacks;
        if (cbs == null) {
            return 0;
        }
        if (cbs instanceof ArrayList<?> list) {
            int before = list.size();
            list.removeIf(callback::equals);
            int removed = before - list.size();
            if (list.isEmpty()) {
                callbacks = null;
            }
            return removed;
        }
        if (cbs.equals(callback)) {
            callbacks = null;
            return 1;
        }
        return 0;
    }

    /**
     * Suspends the running task until this future is done, then returns its result or throws
     * its exception (as {@link #result()}). Only the calling task is suspended; the loop thread
     * goes on running other callbacks and tasks.
     *
     * <p><b>Threading:</b> loop thread only, inside a task of this future's loop.
     *
     * @return the result
     * @throws IllegalStateException if not called inside a task, or if the future belongs to
     *                               another loop
     * @throws CancelledException    if this future or the awaiting task is cancelled
     */
    public T await() {
        Suspender s = EventLoop.currentSuspender(this);
        if (state == RESULT) {
            @SuppressWarnings("unchecked")
            T r = (T) value;
            return r;
        }
        return s.suspendUntilDone(this);
    }

    /**
     * A {@link CompletableFuture} completed (on the loop thread) when this future is done.
     * Cancelling the returned future cancels this one (through the loop).
     *
     * <p><b>Threading:</b> loop thread only; the returned future is thread-safe.
     *
     * @return the linked CompletableFuture
     */
    public CompletableFuture<T> toCompletableFuture() {
        loop.checkThread("Future.toCompletableFuture");
        CompletableFuture<T> cf = new CompletableFuture<>();
        addDoneCallback(f -> {
            switch (state) {
                case RESULT -> {
                    @SuppressWarnings("unchecked")
                    T r = (T) value;
                    cf.complete(r);
                }
                case EXCEPTION -> {
                    markRetrieved();
                    cf.completeExceptionally((Throwable) value);
                }
                default -> cf.cancel(false);
            }
        });
        cf.whenComplete((r, e) -> {
            if (cf.isCancelled() && !isDone()) {
                loop.callSoonThreadsafe(() -> cancel("cancelled through its CompletableFuture"));
            }
        });
        return cf;
    }

    /**
     * Wraps a {@link CompletionStage} completed on any thread into a future of {@code loop}
     * (asyncio's {@code wrap_future}). The future completes on the loop thread; cancelling it
     * cancels the stage if that is a {@link java.util.concurrent.Future}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param loop  the loop of the new future
     * @param stage the stage to follow
     * @param <T>   the result type
     * @return a future of {@code loop}
     */
    public static <T> Future<T> wrap(EventLoop loop, CompletionStage<T> stage) {
        Objects.requireNonNull(stage, "stage");
        Future<T> f = new Future<>(loop);
        stage.whenComplete((r, e) -> loop.callSoonThreadsafe(() -> {
            if (f.isDone()) {
                return;
            }
            if (e == null) {
                f.setResult(r);
            } else {
                Throwable cause = e instanceof CompletionException && e.getCause() != null
                        ? e.getCause() : e;
                if (cause instanceof java.util.concurrent.CancellationException) {
                    f.cancel(cause.getMessage());
                } else {
                    f.setException(cause);
                }
            }
        }));
        if (stage instanceof java.util.concurrent.Future<?> jf) {
            f.addCallbackInternal(done -> {
                if (done.isCancelled()) {
                    jf.cancel(false);
                }
            });
        }
        return f;
    }

    /** Adds a done-callback without the thread check (for construction on other threads). */
    private void addCallbackInternal(Consumer<? super Future<T>> callback) {
        Object cbs = callbacks;
        if (cbs == null) {
            callbacks = callback;
        } else {
            ArrayList<Object> list = cbs instanceof ArrayList<?> l ? castList(l) : new ArrayList<>();
            if (!(cbs instanceof ArrayList<?>)) {
                list.add(cbs);
            }
            list.add(callback);
            callbacks = list;
        }
    }

    @SuppressWarnings("unchecked")
    private static ArrayList<Object> castList(ArrayList<?> l) {
        return (ArrayList<Object>) l;
    }

    /**
     * Whether the future completed with an exception that nobody has retrieved yet.
     * Used by the task layer.
     */
    final boolean hasUnretrievedException() {
        return state == EXCEPTION && unretrieved != null && !unretrieved.retrieved;
    }

    /** The message given to cancel, or null. */
    final String cancelMessage() {
        return cancelMessage;
    }

    /** The raw stored exception without marking it retrieved (for the task layer). */
    final Throwable rawException() {
        return state == EXCEPTION ? (Throwable) value : null;
    }

    /** Marks the stored exception as retrieved, so it is not reported at GC. */
    final void markRetrieved() {
        UnretrievedReport u = unretrieved;
        if (u != null) {
            u.retrieved = true;
        }
    }

    /** A fresh cancellation exception carrying the cancel message. */
    protected CancelledException newCancelledException() {
        return new CancelledException(cancelMessage);
    }

    /**
     * Cancellation by the task layer: sets the cancelled state even though this may be a task
     * whose {@link #cancel(String)} means "request".
     */
    final void completeCancelled(String message) {
        cancelMessage = message;
        complete(CANCELLED, null);
    }

    /** Completion by the task layer, bypassing overridden public methods. */
    final void completeResult(T result) {
        complete(RESULT, result);
    }

    /** Completion by the task layer, bypassing overridden public methods. */
    final void completeException(Throwable exception) {
        unretrieved = new UnretrievedReport(loop, exception, getClass().getSimpleName());
        CLEANER.register(this, unretrieved);
        complete(EXCEPTION, exception);
    }

    private void complete(int newState, Object newValue) {
        value = newValue;
        state = newState;
        Object cbs = callbacks;
        if (cbs == null) {
            return;
        }
        callbacks = null;
        if (cbs instanceof ArrayList<?> list) {
            for (Object cb : list) {
                scheduleOne(cb);
            }
        } else {
            scheduleOne(cbs);
        }
    }

    @SuppressWarnings("unchecked")
    private void scheduleOne(Object cb) {
        loop.scheduleDoneCallback(this, (Consumer<? super Future<T>>) cb);
    }

    static RuntimeException rethrowable(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new CompletionException(t);
    }

    private String stateName() {
        return switch (state) {
            case RESULT -> "finished with a result";
            case EXCEPTION -> "finished with an exception";
            case CANCELLED -> "cancelled";
            default -> "pending";
        };
    }

    @Override
    public String toString() {
        String s = getClass().getSimpleName() + "[" + stateName();
        if (state == RESULT) {
            s += ", result=" + value;
        } else if (state == EXCEPTION) {
            s += ", exception=" + value;
        }
        return s + "]";
    }

    /** Reports an exception that was never retrieved, when its future is collected. */
    private static final class UnretrievedReport implements Runnable {
        private final EventLoop loop;
        private final Throwable exception;
        private final String description;
        volatile boolean retrieved;

        UnretrievedReport(EventLoop loop, Throwable exception, String description) {
            this.loop = loop;
            this.exception = exception;
            this.description = description;
        }

        @Override
        public void run() {
            if (!retrieved) {
                loop.reportUnretrieved(new ExceptionContext(
                        "Future exception was never retrieved: " + description, exception, null));
            }
        }
    }
}
