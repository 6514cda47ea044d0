package dev.pollen.async;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import dev.pollen.loop.ThrowingRunnable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Runs several programs on one loop, then closes it (asyncio's {@code asyncio.Runner}):
 *
 * <pre>{@code
 * try (Runner runner = Runner.builder().debug(true).build()) {
 *     runner.run(() -> setUp());          // each run: a main task, run to its end
 *     String r = runner.run(() -> work()); // same loop; tasks left by the last run go on here
 * }                                        // close(): cancels what is left, closes the loop
 * }</pre>
 *
 * <ul>
 *   <li>The loop is made on first use ({@link #run} or {@link #loop()}) by the
 *       {@linkplain Builder#loopFactory loop factory} (default: {@link EventLoop#create()}, the
 *       configured poller); {@linkplain Builder#debug debug}, when given, is then set on it.</li>
 *   <li>{@link #run(Callable)} runs the body as a task named {@code main} until it is done and
 *       returns its result or throws its exception. Tasks it leaves behind are not cancelled:
 *       they run on during later runs.</li>
 *   <li>{@link #close()} cancels the tasks still pending, waits for them (an exception one of
 *       them ends with goes to the loop's exception handler), and closes the loop, which shuts its
 *       default executor down. {@link Async#run} is {@code run} once, then {@code close}.</li>
 * </ul>
 * Unlike asyncio's, a runner installs no SIGINT handler (a JVM has no portable one), and each
 * run's main task starts with the loop's own task-locals: values it sets are not seen by the
 * next run (asyncio runs every main task in one shared {@code contextvars} context); see
 * {@code docs/asyncio.md}.
 *
 * <p><b>Threading:</b> not thread-safe: use a runner from one thread, which must not be running
 * a loop (it becomes the loop's thread while {@code run} runs).
 */
public final class Runner implements AutoCloseable {

    private final Supplier<? extends EventLoop> loopFactory;
    private final Boolean debug;
    private EventLoop loop;
    private boolean closed;

    private Runner(Supplier<? extends EventLoop> loopFactory, Boolean debug) {
        this.loopFactory = loopFactory;
        this.debug = debug;
    }

    /**
     * A runner with the defaults: a loop on the configured poller, debug as configured
     * (asyncio's {@code Runner()}).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return a new runner, its loop not yet made
     */
    public static Runner create() {
        return new Runner(EventLoop::create, null);
    }

    /**
     * A builder of a runner with a loop factory or a debug setting.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code main} as a task of this runner's loop until it is done (asyncio's
     * {@code Runner.run}).
     *
     * <p><b>Threading:</b> the runner's thread, which must not be running a loop.
     *
     * @param main the program
     * @param <T>  its result type
     * @return what {@code main} returned
     * @throws IllegalStateException if the runner is closed, or this thread is running a loop
     */
    public <T> T run(Callable<T> main) {
        Objects.requireNonNull(main, "the main body");
        if (EventLoop.currentOrNull() != null) {
            throw new IllegalStateException("Runner.run() cannot be called from a running event "
                    + "loop (thread " + Thread.currentThread().getName() + "); inside a task, "
                    + "await the work instead");
        }
        EventLoop l = loop();
        return l.runUntilComplete(l.createTask("main", main));
    }

    /**
     * As {@link #run(Callable)} for a program without a result.
     *
     * <p><b>Threading:</b> the runner's thread, which must not be running a loop.
     *
     * @param main the program
     * @throws IllegalStateException if the runner is closed, or this thread is running a loop
     */
    public void run(ThrowingRunnable main) {
        Objects.requireNonNull(main, "the main body");
        run(ThrowingRunnable.callable(main));
    }

    /**
     * The runner's loop, made now if no run made it yet (asyncio's {@code Runner.get_loop}).
     *
     * <p><b>Threading:</b> the runner's thread.
     *
     * @return the loop
     * @throws IllegalStateException if the runner is closed
     */
    public EventLoop loop() {
        if (closed) {
            throw new IllegalStateException("Runner is closed");
        }
        if (loop == null) {
            EventLoop l = Objects.requireNonNull(loopFactory.get(),
                    "the runner's loop factory returned null");
            if (debug != null) {
                l.setDebug(debug);
            }
            loop = l;
        }
        return loop;
    }

    /**
     * Cancels the tasks still pending, waits for them, and closes the loop (asyncio's
     * {@code Runner.close}). Idempotent; a runner whose loop was never made just becomes closed.
     *
     * <p><b>Threading:</b> the runner's thread, outside {@link #run}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        EventLoop l = loop;
        loop = null;
        if (l == null) {
            return;
        }
        try {
            cancelAllTasks(l);
        } finally {
            l.close();
        }
    }

    /** asyncio's {@code _cancel_all_tasks}. */
    private static void cancelAllTasks(EventLoop loop) {
        if (loop.isClosed()) {
            return;
        }
        Set<Task<?>> left = loop.allTasks();
        if (left.isEmpty()) {
            return;
        }
        List<Task<?>> list = new ArrayList<>(left);
        for (Task<?> t : list) {
            t.cancel();
        }
        Future<List<Object>> all = Gather.gather(list, true);
        loop.runUntilComplete(all);
        for (Task<?> t : list) {
            if (t.isCancelled()) {
                continue;
            }
            Throwable e = t.exception();
            if (e != null) {
                loop.callExceptionHandler(new ExceptionContext("unhandled exception during "
                        + "Runner.close() (Async.run() shutdown) in " + t, e, t));
            }
        }
    }

    /**
     * Settings of a {@link Runner}.
     *
     * <p><b>Threading:</b> not thread-safe; build on one thread.
     */
    public static final class Builder {
        private Supplier<? extends EventLoop> loopFactory = EventLoop::create;
        private Boolean debug;

        private Builder() {
        }

        /**
         * How the runner makes its loop (asyncio's {@code loop_factory}), e.g.
         * {@code () -> EventLoop.builder().poller("nio").build()} or
         * {@code EventLoop.builder().virtualTime(true)::build}. Called once, on first use.
         *
         * @param loopFactory makes a new, not running loop; the runner owns and closes it
         * @return this builder
         */
        public Builder loopFactory(Supplier<? extends EventLoop> loopFactory) {
            this.loopFactory = Objects.requireNonNull(loopFactory, "loopFactory");
            return this;
        }

        /**
         * Sets debug mode on the loop once it is made (asyncio's {@code debug}); by default the
         * loop keeps what its factory gave it.
         *
         * @param debug whether debug mode is on
         * @return this builder
         */
        public Builder debug(boolean debug) {
            this.debug = debug;
            return this;
        }

        /**
         * Creates the runner; its loop is made on first use.
         *
         * @return the runner
         */
        public Runner build() {
            return new Runner(loopFactory, debug);
        }
    }
}
