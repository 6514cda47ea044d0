package dev.pollen.async;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import dev.pollen.loop.ThrowingRunnable;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The asyncio toolkit as static methods, named as in {@code asyncio}: write
 * {@code Async.sleep(...)} where Python writes {@code await asyncio.sleep(...)}.
 *
 * <pre>{@code
 * Async.run(() -> {
 *     System.out.println("hello");
 *     Async.sleep(Duration.ofSeconds(2));
 *     System.out.println("world");
 * });
 * }</pre>
 *
 * <p>Methods that wait ({@code sleep}, {@code wait}, {@code waitFor}, {@code toThread},
 * {@code taskGroup}, {@code timeout(..., body)}) suspend the calling {@link Task} and must run
 * inside one; the others return a {@link Future} to await (or to add callbacks to).
 *
 * <p><b>Threading:</b> loop thread only, except {@link #run} (a thread that runs no loop) and
 * {@link #runCoroutineThreadsafe} (any thread).
 */
public final class Async {

    private Async() {
    }

    // ------------------------------------------------------------------ entry points

    /**
     * Runs {@code main} as the main task of a new loop (the configured poller), then cancels the
     * tasks still pending, waits for them, and closes the loop (asyncio's {@code asyncio.run}):
     * one {@link Runner#run} and {@link Runner#close()}; use a {@link Runner} for several runs on
     * one loop.
     *
     * <p><b>Threading:</b> any thread that is not running a loop; it runs the loop.
     *
     * @param main the program
     * @param <T>  its result type
     * @return what {@code main} returned
     * @throws IllegalStateException if a loop is already running on this thread
     */
    public static <T> T run(Callable<T> main) {
        return run(EventLoop.builder(), main);
    }

    /**
     * As {@link #run(Callable)} for a body without a result.
     *
     * <p><b>Threading:</b> any thread that is not running a loop.
     *
     * @param main the program
     */
    public static void run(ThrowingRunnable main) {
        Objects.requireNonNull(main, "the main body");
        run(EventLoop.builder(), ThrowingRunnable.callable(main));
    }

    /**
     * As {@link #run(Callable)} on a loop built by {@code builder} (a poller, virtual time, debug
     * mode, ...).
     *
     * <p><b>Threading:</b> any thread that is not running a loop.
     *
     * @param builder the loop's settings
     * @param main    the program
     * @param <T>     its result type
     * @return what {@code main} returned
     */
    public static <T> T run(EventLoop.Builder builder, Callable<T> main) {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(main, "the main body");
        try (Runner runner = Runner.builder().loopFactory(builder::build).build()) {
            return runner.run(main);
        }
    }

    /**
     * As {@link #run(EventLoop.Builder, Callable)} for a body without a result.
     *
     * <p><b>Threading:</b> any thread that is not running a loop.
     *
     * @param builder the loop's settings
     * @param main    the program
     */
    public static void run(EventLoop.Builder builder, ThrowingRunnable main) {
        Objects.requireNonNull(main, "the main body");
        run(builder, ThrowingRunnable.callable(main));
    }

    /**
     * Submits {@code body} from any thread to run as a task on {@code loop}, returning a
     * {@link CompletableFuture} of its outcome (asyncio's {@code run_coroutine_threadsafe}).
     * Cancelling the returned future cancels the task.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param loop the loop (running, or about to run)
     * @param body the task's body
     * @param <T>  the result type
     * @return a thread-safe future of the task's outcome
     * @throws IllegalStateException if the loop is closed
     */
    public static <T> CompletableFuture<T> runCoroutineThreadsafe(EventLoop loop, Callable<T> body) {
        return Threadsafe.submit(loop, body);
    }

    /**
     * As {@link #runCoroutineThreadsafe(EventLoop, Callable)} for a body without a result.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param loop the loop (running, or about to run)
     * @param body the task's body
     * @return a thread-safe future completed with null when the task is done
     */
    public static CompletableFuture<Void> runCoroutineThreadsafe(EventLoop loop,
                                                                 ThrowingRunnable body) {
        return Threadsafe.submit(loop, ThrowingRunnable.callable(body));
    }

    // ------------------------------------------------------------------ tasks

    /**
     * Creates a task on the running loop (asyncio's {@code create_task}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param body the task's body
     * @param <T>  its result type
     * @return the scheduled task
     */
    public static <T> Task<T> createTask(Callable<T> body) {
        return EventLoop.current().createTask(body);
    }

    /**
     * Creates a named task on the running loop.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param name the task's name
     * @param body the task's body
     * @param <T>  its result type
     * @return the scheduled task
     */
    public static <T> Task<T> createTask(String name, Callable<T> body) {
        return EventLoop.current().createTask(name, body);
    }

    /**
     * Creates a named task on the running loop, choosing whether it starts eagerly: with
     * {@code eagerStart} its body runs at once, inside this call, until its first suspension
     * (asyncio 3.14's {@code create_task(..., eager_start=True)}; see
     * {@link EventLoop#createTask(String, Callable, boolean)}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param name       the task's name, or null
     * @param body       the task's body
     * @param eagerStart whether to start it eagerly
     * @param <T>        its result type
     * @return the task (already done if it started eagerly and never suspended)
     */
    public static <T> Task<T> createTask(String name, Callable<T> body, boolean eagerStart) {
        return EventLoop.current().createTask(name, body, eagerStart);
    }

    /**
     * Creates a task without a result on the running loop.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param body the task's body
     * @return the scheduled task
     */
    public static Task<Void> createTask(ThrowingRunnable body) {
        return EventLoop.current().createTask(body);
    }

    /**
     * Creates a named task without a result on the running loop.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param name the task's name
     * @param body the task's body
     * @return the scheduled task
     */
    public static Task<Void> createTask(String name, ThrowingRunnable body) {
        return EventLoop.current().createTask(name, body);
    }

    /**
     * The running task, or null outside tasks (asyncio's {@code current_task}).
     *
     * <p><b>Threading:</b> any thread (answers for the calling thread).
     *
     * @return the task or null
     */
    public static Task<?> currentTask() {
        return Task.current();
    }

    /**
     * The running loop's tasks that are not done (asyncio's {@code all_tasks}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return a snapshot
     */
    public static Set<Task<?>> allTasks() {
        return EventLoop.current().allTasks();
    }

    // ------------------------------------------------------------------ sleeping

    /**
     * Suspends the calling task for {@code delay} (asyncio's {@code sleep}); zero or negative
     * just lets every other ready callback and task run one step ({@code sleep(0)}).
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param delay how long
     * @throws dev.pollen.loop.CancelledException if the task is cancelled meanwhile
     */
    public static void sleep(Duration delay) {
        Sleep.sleep(delay, null);
    }

    /**
     * As {@link #sleep(Duration)}, then returns {@code result} (asyncio's
     * {@code sleep(delay, result)}).
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param delay  how long
     * @param result what to return
     * @param <T>    its type
     * @return {@code result}
     */
    public static <T> T sleep(Duration delay, T result) {
        return Sleep.sleep(delay, result);
    }

    /**
     * Lets the loop run one step of everything else that is ready ({@code sleep(0)}).
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     */
    public static void yieldNow() {
        Task.yieldNow();
    }

    // ------------------------------------------------------------------ combinators

    /**
     * One future for the results of several, in the given order (asyncio's {@code gather}). The
     * first failure (or cancellation, as a {@link dev.pollen.loop.CancelledException}) fails it
     * at once; the others keep running. Futures already done count at once, so a gather of done
     * futures is done on return. Cancelling it cancels them all, and it then fails with a
     * {@link dev.pollen.loop.CancelledException} (asyncio 3.13: not {@code isCancelled()}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param futures the futures (tasks), of one loop
     * @param <T>     their result type
     * @return a future of the list of results
     */
    public static <T> Future<List<T>> gather(List<? extends Future<? extends T>> futures) {
        return Gather.gather(futures, false);
    }

    /**
     * As {@link #gather(List)} for futures of different types.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param futures the futures (tasks), of one loop
     * @return a future of the list of results
     */
    public static Future<List<Object>> gather(Future<?>... futures) {
        return Gather.gather(Arrays.asList(futures), false);
    }

    /**
     * As {@link #gather(List)}; with {@code returnExceptions}, a failure or cancellation does not
     * fail the result but takes that future's place in the list (as the {@link Throwable}, or a
     * {@link dev.pollen.loop.CancelledException}) (asyncio's
     * {@code gather(..., return_exceptions=True)}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param futures          the futures (tasks), of one loop
     * @param returnExceptions whether exceptions are results
     * @return a future of the list of results and exceptions
     */
    public static Future<List<Object>> gather(List<? extends Future<?>> futures,
                                              boolean returnExceptions) {
        return Gather.gather(futures, returnExceptions);
    }

    /**
     * Suspends the calling task until the futures satisfy {@code returnWhen} or {@code timeout}
     * passes, and tells which are done (asyncio's {@code wait}). Never cancels them and never
     * throws their exceptions.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param futures    a non-empty collection of futures of one loop
     * @param timeout    the longest wait, or null for none
     * @param returnWhen when to return
     * @param <T>        their result type
     * @return the done and pending futures
     * @throws IllegalArgumentException if {@code futures} is empty
     */
    public static <T> WaitResult<T> wait(Collection<? extends Future<? extends T>> futures,
                                         Duration timeout, ReturnWhen returnWhen) {
        return Wait.await(futures, timeout, returnWhen);
    }

    /**
     * {@link #wait(Collection, Duration, ReturnWhen)} until all are done, without timeout.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param futures a non-empty collection of futures of one loop
     * @param <T>     their result type
     * @return the done (all) and pending (none) futures
     */
    public static <T> WaitResult<T> wait(Collection<? extends Future<? extends T>> futures) {
        return Wait.await(futures, null, ReturnWhen.ALL_COMPLETED);
    }

    /**
     * Awaits {@code future} for at most {@code timeout}; on timeout cancels it, waits until it
     * has finished, and throws {@link TimeoutException} (asyncio's {@code wait_for}).
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param future  the future (or task)
     * @param timeout the longest wait, or null for none
     * @param <T>     its result type
     * @return its result
     * @throws TimeoutException if it did not finish in time
     */
    public static <T> T waitFor(Future<T> future, Duration timeout) {
        return WaitFor.waitFor(future, timeout);
    }

    /**
     * A timeout scope {@code delay} from now (asyncio's {@code timeout}); enter it with
     * {@link Timeout#call} or {@link Timeout#run}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param delay how long from now, or null for no deadline
     * @return the timeout
     */
    public static Timeout timeout(Duration delay) {
        return Timeout.after(delay);
    }

    /**
     * A timeout scope at an absolute loop time (asyncio's {@code timeout_at}).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param whenNanos the deadline on the loop's clock ({@link EventLoop#time()})
     * @return the timeout
     */
    public static Timeout timeoutAt(long whenNanos) {
        return Timeout.at(whenNanos);
    }

    /**
     * Runs {@code body} in the calling task with a deadline {@code delay} from now.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param delay how long from now, or null for none
     * @param body  the block
     * @param <T>   its result type
     * @return what the body returned
     * @throws TimeoutException if the deadline passed and interrupted the body
     */
    public static <T> T timeout(Duration delay, Callable<T> body) {
        return Timeout.after(delay).call(body);
    }

    /**
     * Runs {@code body} (without a result) in the calling task with a deadline {@code delay}
     * from now.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param delay how long from now, or null for none
     * @param body  the block
     * @throws TimeoutException if the deadline passed and interrupted the body
     */
    public static void timeout(Duration delay, ThrowingRunnable body) {
        Timeout.after(delay).run(body);
    }

    /**
     * A future that follows {@code future} but whose cancellation does not cancel it (asyncio's
     * {@code shield}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param future the future to protect
     * @param <T>    its result type
     * @return the outer future (or {@code future} itself if it is done)
     */
    public static <T> Future<T> shield(Future<T> future) {
        return Shield.shield(future);
    }

    /**
     * The futures' outcomes in completion order (asyncio's {@code as_completed}). See
     * {@link AsCompleted}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param futures the futures, of one loop
     * @param timeout after which the remaining ones fail with {@link TimeoutException}, or null
     * @param <T>     their result type
     * @return a single-use iterable of futures
     */
    public static <T> AsCompleted<T> asCompleted(Collection<? extends Future<? extends T>> futures,
                                                 Duration timeout) {
        return new AsCompleted<>(futures, timeout);
    }

    /**
     * {@link #asCompleted(Collection, Duration)} without timeout.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param futures the futures, of one loop
     * @param <T>     their result type
     * @return a single-use iterable of futures
     */
    public static <T> AsCompleted<T> asCompleted(Collection<? extends Future<? extends T>> futures) {
        return new AsCompleted<>(futures, null);
    }

    /**
     * Runs a {@link TaskGroup} in the calling task.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param body creates the group's tasks
     * @throws TaskGroupException if the body or a task failed
     */
    public static void taskGroup(TaskGroup.Body body) {
        TaskGroup.run(body);
    }

    // ------------------------------------------------------------------ blocking work

    /**
     * Runs blocking {@code fn} on {@code executor} (null: the loop's
     * {@linkplain EventLoop#defaultExecutor() default executor}) and returns a future of the loop
     * completed with its outcome (asyncio's {@code run_in_executor}). Cancelling the future does
     * not interrupt {@code fn}.
     *
     * <p><b>Threading:</b> loop thread only; {@code fn} runs on the executor.
     *
     * @param executor where to run, or null
     * @param fn       the blocking work
     * @param <T>      its result type
     * @return a future of the running loop
     */
    public static <T> Future<T> runInExecutor(Executor executor, Callable<T> fn) {
        return Blocking.runInExecutor(executor, fn);
    }

    /**
     * As {@link #runInExecutor(Executor, Callable)} for blocking work without a result.
     *
     * <p><b>Threading:</b> loop thread only; {@code fn} runs on the executor.
     *
     * @param executor where to run, or null
     * @param fn       the blocking work
     * @return a future of the running loop, completed with null
     */
    public static Future<Void> runInExecutor(Executor executor, ThrowingRunnable fn) {
        return Blocking.runInExecutor(executor, ThrowingRunnable.callable(fn));
    }

    /**
     * Runs blocking {@code fn} on the loop's default executor and suspends the calling task until
     * it is done (asyncio's {@code to_thread}). Task-locals are not visible on that thread.
     *
     * <p><b>Threading:</b> loop thread only, inside a task; {@code fn} runs on another thread.
     *
     * @param fn  the blocking work
     * @param <T> its result type
     * @return its result
     */
    public static <T> T toThread(Callable<T> fn) {
        return Blocking.runInExecutor(null, fn).await();
    }

    /**
     * As {@link #toThread(Callable)} for blocking work without a result.
     *
     * <p><b>Threading:</b> loop thread only, inside a task; {@code fn} runs on another thread.
     *
     * @param fn the blocking work
     */
    public static void toThread(ThrowingRunnable fn) {
        toThread(ThrowingRunnable.callable(fn));
    }
}
