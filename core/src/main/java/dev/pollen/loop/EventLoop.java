package dev.pollen.loop;

import dev.pollen.spi.IoSource;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Pollers;
import dev.pollen.spi.Registration;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * An asyncio-style event loop: one thread runs callbacks, timers, I/O handlers and tasks on top
 * of a {@link Poller}.
 *
 * <h2>One iteration</h2>
 * As asyncio's {@code _run_once}: compute the poll timeout from the ready queue and the earliest
 * timer; {@code poll} (I/O handlers run inside it); move callbacks handed in from other threads
 * and due timers to the ready queue; run the callbacks that are ready at that point, in FIFO
 * order. Callbacks scheduled while those run wait for the next iteration. A timer never fires
 * before its deadline.
 *
 * <h2>Threading</h2>
 * One loop, one thread: the thread that calls {@link #runForever()} (or the one
 * {@link #startThread()} starts). Methods are loop-thread-only unless their Javadoc says
 * otherwise; the thread-safe ones are {@link #callSoonThreadsafe(Runnable)}, {@link #stop()},
 * {@link #time()}, {@link #isRunning()}, {@link #isClosed()}, {@link #stats()}, {@link #name()}
 * and {@link #close()} (with the rule stated there). While the loop runs, a loop-thread-only
 * method called from another thread throws an {@link IllegalStateException} naming the method
 * and the loop's thread. Before the loop runs, any one thread may set it up.
 *
 * <h2>Errors: the loop thread never dies</h2>
 * Nothing that code the loop calls throws ends the loop thread: callbacks, timers,
 * done-callbacks, task steps, fd readers and writers, I/O handlers, close hooks, the protocols
 * and factories the networking layer calls, and the exception handler itself. Whatever they
 * throw, {@link Error}s included ({@link StackOverflowError}, {@link OutOfMemoryError},
 * {@link LinkageError}, {@link AssertionError}), is reported and the loop goes on with the next
 * callback; nothing is rethrown (docs/decisions.md says why).
 * <ul>
 *   <li>A report goes to the {@linkplain #setExceptionHandler exception handler}; by default it
 *       is logged through {@link System.Logger} at ERROR ({@link #defaultExceptionHandler}; a
 *       routine network error, such as a peer reset, is one line at INFO instead).</li>
 *   <li>If the handler throws, the report and the handler's failure are both passed to the
 *       default handling.</li>
 *   <li>If the default handling fails too (the logging backend throws, or cannot open a file it
 *       needs because the process is out of descriptors), the loop writes one plain line to
 *       {@link System#err}: {@code pollen: loop NAME: MESSAGE: EXCEPTION (...)}. That line needs
 *       no new file descriptor and no class that is not already loaded.</li>
 *   <li>The reporting path is prepared when the first loop is built, while descriptors are
 *       still plentiful: its classes are loaded, and {@code java.util.logging}'s formatters (the
 *       default backend, whose {@code SimpleFormatter} reads the time-zone database on first
 *       use) have formatted once. So a report made while the process is out of descriptors
 *       still reaches the log.</li>
 *   <li>If the poller's {@code poll} itself fails (not a handler inside it), the failure is
 *       reported and, when it fails again at once, the loop waits before the next attempt
 *       (1 ms, doubling up to 1 s) instead of spinning. The one thing the loop cannot survive is
 *       its poller being closed under it: then {@link #runForever()} throws an
 *       {@link IllegalStateException} saying so (a {@code LoopGroup} notices and reports it).</li>
 * </ul>
 *
 * <h2>Tasks</h2>
 * {@link #createTask(Callable)} runs a body as a coroutine-like {@link Task} whose code (and
 * anything it calls) may {@linkplain Future#await() await} futures; see {@link Task}. Tasks need
 * the JVM flag {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} (or the manifest
 * attribute {@code Add-Exports: java.base/jdk.internal.vm}); without it {@code createTask} fails
 * with a message saying so, and callback-style code keeps working.
 *
 * <p><b>Eager tasks</b> (asyncio 3.12's {@code eager_task_factory}, 3.14's {@code eager_start}):
 * a loop built with {@link Builder#eagerTasks(boolean) eagerTasks(true)}, or a task created with
 * {@link #createTask(String, Callable, boolean) eagerStart = true}, runs the task's body at once,
 * inside {@code createTask}, until its first suspension; a task that never suspends is done when
 * {@code createTask} returns and never touches the ready queue. While it runs,
 * {@link Task#current()} is the new task; the creator resumes when the new task first suspends or
 * ends. This applies only when {@code createTask} is called on the thread of the running loop;
 * otherwise (the loop is not running yet) the task is scheduled as usual.
 *
 * <h2>Virtual time</h2>
 * A loop built with {@link Builder#virtualTime(boolean) virtualTime(true)} has a clock that starts
 * at 0 and, whenever nothing is ready, jumps straight to the next timer instead of waiting (like
 * tokio's paused time): a test of code that sleeps for an hour runs in milliseconds, and
 * {@link #time()} reports the virtual elapsed time exactly.
 *
 * <h2>Debug mode</h2>
 * {@code -Dpollen.debug=true} or {@link Builder#debug(boolean)}: callbacks (and task steps) slower
 * than the threshold (default 100 ms) are reported with their duration, and an await while the
 * task holds a {@code synchronized} monitor or a {@code java.util.concurrent} lock throws an
 * {@link IllegalStateException} naming the lock (a thread dump per await: debug only).
 */
public final class EventLoop implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    /** Routine network errors (see {@link #defaultExceptionHandler}): one line each, at INFO. */
    private static final System.Logger ROUTINE_LOG = System.getLogger("dev.pollen.net.routine");
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final ThreadLocal<EventLoop> CURRENT = new ThreadLocal<>();

    private final Poller poller;
    private final String name;
    private final boolean virtualTime;
    private final ArrayDeque<Handle> ready = new ArrayDeque<>(256);
    private final MpscUnboundedAtomicArrayQueue<Handle> inbox = new MpscUnboundedAtomicArrayQueue<>(1024);
    private final TimerHeap timers = new TimerHeap();
    private final HashMap<IoSource, Watcher> watchers = new HashMap<>();

    private volatile Thread owner;
    private volatile Thread startedThread;
    private volatile boolean stopping;
    private volatile boolean closed;
    private long timerSequence;
    private long virtualNow;
    private boolean debug;
    /** Whether {@link #createTask(String, Callable)} starts tasks eagerly. */
    private final boolean eagerTasks;
    private long slowCallbackNanos;
    private ExceptionHandler exceptionHandler;
    /** The task running right now on this loop's thread, if any (see {@link Suspender}). */
    Suspender suspender;
    /** Live tasks and task-locals outside tasks. */
    final TaskRegistry tasks = new TaskRegistry();
    private ExecutorService defaultExecutor;
    /** This loop's signal handlers by canonical name ("TERM"); see {@link SignalDispatch}. */
    private final java.util.Map<String, Runnable> signalHandlers =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** {@link LoopLocal} values by index; copy-on-write under {@link #localsLock}. */
    volatile Object[] locals = new Object[0];
    private final Object localsLock = new Object();

    /** What {@link #addCloseHook} registered; guarded by itself. */
    private final ArrayList<Runnable> closeHooks = new ArrayList<>(2);
    /** Set (under closeHooks' lock) once the hooks have been taken to run. */
    private boolean closeHooksRan;

    /** How long a loop with ready callbacks may go without asking the kernel for I/O. */
    private static final long BUSY_POLL_INTERVAL_NANOS = 20_000;
    /** When {@link #runOnce} last called {@code poll}. */
    private long lastPollNanos = System.nanoTime() - BUSY_POLL_INTERVAL_NANOS;

    /** When the current iteration began (the previous one's end); see {@link #runOnce}. */
    private long iterationStart;

    /** Polls in a row that threw (reset by one that did not); see {@link #pollFailed}. */
    private int pollFailures;
    /** Iterations in a row that failed outside user code; see {@link #runForever()}. */
    private int iterationFailures;
    /** Set when the poller was found closed under the running loop: the loop cannot go on. */
    private IllegalStateException pollerGone;
    /** The longest pause between failing polls or iterations. */
    private static final long MAX_FAILURE_PAUSE_NANOS = 1_000_000_000L;

    private long iterations;
    private long callbacksRun;
    private long ioEvents;
    private long nanosPolling;
    private long nanosRunning;
    /** JDK Flight Recorder events of this loop (see {@code dev.pollen.loop.jfr}). */
    private final LoopRecorder recorder;
    /** Whether this iteration times callbacks for JFR (asked once per iteration). */
    private boolean recordSlowCallbacks;

    private EventLoop(Builder b) {
        Reporting.prepare(); // before the poller: a report must not need a file descriptor later
        this.poller = b.poller != null ? b.poller : Pollers.create(b.pollerName != null
                ? b.pollerName : Pollers.configuredName());
        this.name = b.name != null ? b.name : "pollen-loop-" + IDS.incrementAndGet();
        this.recorder = new LoopRecorder(this.name);
        this.virtualTime = b.virtualTime;
        this.debug = b.debug;
        this.eagerTasks = b.eagerTasks;
        this.slowCallbackNanos = b.slowCallback.toNanos();
        this.exceptionHandler = b.exceptionHandler;
    }

    /**
     * A loop on the configured poller ({@code -Dpollen.poller}, default {@code auto}).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return a new loop, not yet running
     * @throws IllegalArgumentException if the configured poller is unknown or unavailable
     */
    public static EventLoop create() {
        return builder().build();
    }

    /**
     * A builder for a loop with non-default settings.
     *
     * <p><b>Threading:</b> any thread; the builder itself is not thread-safe.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The loop running on the calling thread (asyncio's {@code get_running_loop}).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the running loop
     * @throws IllegalStateException if no loop is running on this thread
     */
    public static EventLoop current() {
        EventLoop l = CURRENT.get();
        if (l == null) {
            throw new IllegalStateException("no event loop is running on thread "
                    + Thread.currentThread().getName());
        }
        return l;
    }

    /**
     * The loop running on the calling thread, or null.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the running loop or null
     */
    public static EventLoop currentOrNull() {
        return CURRENT.get();
    }

    // ------------------------------------------------------------------ running

    /**
     * Runs the loop on the calling thread until {@link #stop()} is called.
     *
     * <p><b>Threading:</b> any thread that is not already running a loop; it becomes the loop
     * thread until this returns.
     *
     * <p>It returns only after {@link #stop()}: nothing a callback throws ends it (see the class
     * comment). The one exception is a poller closed under the running loop.
     *
     * @throws IllegalStateException if the loop is closed or already running, or another loop is
     *                               running on this thread; or, while running, if its poller was
     *                               closed under it (the loop cannot poll any more)
     */
    public void runForever() {
        enterRun();
        iterationStart = System.nanoTime();
        try {
            while (true) {
                try {
                    runOnce();
                    iterationFailures = 0;
                } catch (Throwable t) {
                    // Not user code (that is caught where it runs): a fault of the loop's own
                    // bookkeeping, e.g. an OutOfMemoryError while growing a queue. Report it and go
                    // on; if it keeps failing, do so slowly.
                    iterationStart = System.nanoTime();
                    report("internal error in the loop's iteration; the loop goes on", null, t,
                            this);
                    pauseAfterFailure(++iterationFailures);
                }
                IllegalStateException gone = pollerGone;
                if (gone != null) {
                    pollerGone = null;
                    throw gone;
                }
                if (stopping) {
                    break;
                }
            }
        } finally {
            stopping = false;
            exitRun();
        }
    }

    /**
     * Runs the loop until {@code future} is done, then returns its result (or throws its
     * exception, as {@link Future#result()}).
     *
     * <p><b>Threading:</b> as {@link #runForever()}.
     *
     * @param future a future of this loop
     * @param <T>    its type
     * @return the future's result
     * @throws IllegalArgumentException if the future belongs to another loop
     * @throws IllegalStateException    if the loop stopped before the future was done
     */
    public <T> T runUntilComplete(Future<T> future) {
        Objects.requireNonNull(future, "future");
        if (future.loop != this) {
            throw new IllegalArgumentException("runUntilComplete: the future belongs to loop "
                    + future.loop.name + ", not to " + name);
        }
        Consumer<Future<T>> stopper = f -> stop();
        if (!future.isDone()) {
            future.addDoneCallback(stopper);
        } else {
            stop();
        }
        try {
            runForever();
        } finally {
            if (!future.isDone()) {
                future.removeDoneCallback(stopper);
            }
        }
        if (!future.isDone()) {
            throw new IllegalStateException("the event loop stopped before the future completed: "
                    + future);
        }
        return future.result();
    }

    /**
     * Asks the loop to stop: it finishes the current iteration (the callbacks already ready run),
     * then {@link #runForever()} returns. Called before the loop runs, the next run does one
     * iteration and stops (as asyncio).
     *
     * <p><b>Threading:</b> any thread.
     */
    public void stop() {
        stopping = true;
        if (Thread.currentThread() != owner) {
            poller.wakeup();
        }
    }

    /**
     * Starts a new platform thread named after this loop (e.g. {@code pollen-loop-3}) that runs
     * {@link #runForever()}, so thread dumps show which loop it is.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the started thread
     * @throws IllegalStateException if the loop is closed or already running
     */
    public Thread startThread() {
        checkNotClosed("startThread");
        if (owner != null || startedThread != null) {
            throw new IllegalStateException("loop " + name + " is already running");
        }
        Thread t = new Thread(this::runForever, name);
        startedThread = t;
        t.start();
        return t;
    }

    /**
     * Whether the loop is running right now.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true while inside {@link #runForever()}
     */
    public boolean isRunning() {
        return owner != null;
    }

    /**
     * Whether {@link #close()} was called.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the loop: removes its {@linkplain #addSignalHandler signal handlers}, runs the
     * {@linkplain #addCloseHook close hooks} (the networking layer
     * aborts the connections and closes the servers it still owns, so a closed loop leaves no
     * socket open), drops pending callbacks and timers, cancels fd watchers and closes the
     * poller. Idempotent. Pending futures stay pending. If the loop runs on a thread started by
     * {@link #startThread()}, close stops it and waits for that thread to end first.
     *
     * <p><b>Threading:</b> any thread when the loop is not running; from another thread, only
     * for a loop started with {@code startThread()}.
     *
     * @throws IllegalStateException if the loop is running (and was not started by
     *                               {@code startThread()}, or close is called on its thread)
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        Thread started = startedThread;
        if (owner != null) {
            if (Thread.currentThread() == owner || started == null) {
                throw new IllegalStateException("cannot close loop " + name + " while it is "
                        + "running; call stop() first and close it after runForever returns");
            }
        }
        if (started != null && started != Thread.currentThread()) {
            stop();
            boolean interrupted = false;
            while (started.isAlive()) {
                try {
                    started.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        removeSignalHandlers();
        runCloseHooks();
        closed = true;
        for (Watcher w : new ArrayList<>(watchers.values())) {
            w.registration.cancel();
        }
        watchers.clear();
        ready.clear();
        inbox.clear();
        timers.clear();
        ExecutorService executor = defaultExecutor;
        if (executor != null) {
            executor.shutdown(); // as asyncio: running jobs finish, no new ones start
        }
        poller.close();
    }

    /**
     * Registers {@code hook} to run when the loop is closed, on the closing thread, before the
     * poller closes: layers above the loop (the networking layer) use it to close the sockets
     * they still own, so a closed loop leaves no file descriptor open. Hooks run once, in the
     * order they were added; one that throws is reported to the exception handler and the others
     * still run. Callbacks they schedule never run (the loop is closing).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param hook what to run at close
     * @throws IllegalStateException if the loop is already closed
     */
    public void addCloseHook(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        synchronized (closeHooks) {
            if (closeHooksRan) {
                throw new IllegalStateException("addCloseHook: loop " + name + " is closed");
            }
            closeHooks.add(hook);
        }
    }

    private void runCloseHooks() {
        Runnable[] hooks;
        synchronized (closeHooks) {
            closeHooksRan = true;
            hooks = closeHooks.toArray(new Runnable[0]);
            closeHooks.clear();
        }
        for (Runnable h : hooks) {
            try {
                h.run();
            } catch (Throwable e) {
                report("close hook failed: ", h, e, h);
            }
        }
    }

    private void enterRun() {
        checkNotClosed("runForever");
        if (owner != null) {
            throw new IllegalStateException("loop " + name + " is already running on thread "
                    + owner.getName());
        }
        EventLoop other = CURRENT.get();
        if (other != null) {
            throw new IllegalStateException("cannot run loop " + name + ": loop " + other.name
                    + " is already running on this thread");
        }
        owner = Thread.currentThread();
        CURRENT.set(this);
    }

    private void exitRun() {
        CURRENT.remove();
        owner = null;
        startedThread = Thread.currentThread() == startedThread ? null : startedThread;
    }

    /** One iteration, as described in the class comment. */
    private void runOnce() {
        long timeout;
        if (!ready.isEmpty() || stopping) {
            timeout = 0;
        } else {
            TimerHandle first = timers.peek();
            if (first == null) {
                timeout = -1;
            } else if (virtualTime) {
                timeout = 0; // nothing waits in virtual time: the clock jumps instead
            } else {
                long d = first.deadline - iterationStart;
                timeout = d <= 0 ? 0 : d;
            }
        }
        if (timeout != 0 && !inbox.isEmpty()) {
            // Work arrived: this poll need not block. Only a shortcut: correctness does not depend
            // on it, because every submission calls poller.wakeup(), whose gate (AbstractPoller)
            // keeps the next poll from blocking or signals the one that blocks.
            timeout = 0;
        }
        // JFR: one flag read per event type and iteration; nothing allocated unless recording.
        boolean recordIteration = recorder.iterationsEnabled();
        recordSlowCallbacks = recorder.slowCallbacksEnabled();
        if (recordIteration && timeout == 0) {
            recorder.beginIteration(); // a non-blocking poll only collects and dispatches: busy
        }
        // The end of the previous iteration is this one's start: nothing runs in between, so the
        // clock is read twice per iteration, not four or five times (~20 ns a read here).
        long t0 = iterationStart;
        int events;
        try {
            if (timeout == 0 && !ready.isEmpty() && t0 - lastPollNanos < BUSY_POLL_INTERVAL_NANOS) {
                // Callbacks are waiting and the kernel was asked less than 20 µs ago: skip this
                // non-blocking poll. It is a system call (~300 ns here) that would usually find
                // nothing, and on a loop busy with tasks it costs more than the work itself;
                // I/O waits at most one interval longer (docs/decisions.md).
                events = 0;
            } else {
                lastPollNanos = t0;
                events = poller.poll(timeout);
                pollFailures = 0;
            }
        } catch (Throwable e) {
            events = 0;
            pollFailed(e);
        }
        long t1 = System.nanoTime();
        if (recordIteration && timeout != 0) {
            recorder.beginIteration(); // the poll could block: its wait is not busy time
        }
        nanosPolling += t1 - t0;
        iterations++;
        ioEvents += events;

        drainInbox();

        long now = virtualTime ? virtualNow : t1;
        if (virtualTime && ready.isEmpty() && events == 0) {
            TimerHandle first = timers.peek();
            if (first != null && first.deadline > now) {
                virtualNow = first.deadline;
                now = virtualNow;
            }
        }
        TimerHandle t;
        while ((t = timers.peek()) != null && t.deadline <= now) {
            timers.poll();
            ready.add(t);
        }

        int n = ready.size();
        for (int i = 0; i < n; i++) {
            Handle h = ready.poll();
            if (!h.cancelled) {
                runHandle(h);
            }
        }
        callbacksRun += n;
        long end = System.nanoTime();
        nanosRunning += end - t1;
        iterationStart = end;
        if (recordIteration) {
            recorder.endIteration(events, n, t1 - t0, timeout != 0);
        }
    }

    /**
     * {@code poll} threw: a handler inside it, or the poller itself. A closed poller ends the
     * loop (nothing can be polled again); anything else is reported, and a poll that fails again
     * at once is retried after a pause, so a broken poller does not spin.
     */
    private void pollFailed(Throwable e) {
        if (poller.isClosed()) {
            pollerGone = new IllegalStateException("loop " + name + " cannot go on: its poller "
                    + poller.name() + " was closed while the loop ran (only EventLoop.close() "
                    + "may close it)", e);
            stopping = true;
            return;
        }
        report("exception from poller " + poller.name() + " or one of its I/O handlers", null, e,
                poller);
        pauseAfterFailure(++pollFailures);
    }

    /**
     * After the second failure in a row, waits 1 ms, then 2, 4, ... up to 1 s, so a fault that
     * repeats at once costs little CPU instead of a spinning core.
     */
    private void pauseAfterFailure(int failuresInARow) {
        if (failuresInARow < 2 || stopping) {
            return;
        }
        long pause = failuresInARow - 2 >= 10 ? MAX_FAILURE_PAUSE_NANOS
                : Math.min(MAX_FAILURE_PAUSE_NANOS, 1_000_000L << (failuresInARow - 2));
        long deadline = System.nanoTime() + pause;
        boolean interrupted = Thread.interrupted();
        long left;
        while (!stopping && (left = deadline - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(this, left);
            interrupted |= Thread.interrupted(); // an interrupt must not turn the wait into a spin
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        iterationStart = System.nanoTime();
    }

    private void drainInbox() {
        Handle h;
        while ((h = inbox.relaxedPoll()) != null) {
            ready.add(h);
        }
    }

    private void runHandle(Handle h) {
        try {
            if (debug || recordSlowCallbacks) {
                timedInvoke(h);
            } else {
                h.invoke();
            }
        } catch (Throwable e) {
            report("exception in callback ", h, e, h);
        }
    }

    /** Runs a callback timed for debug mode's slow-callback warning and/or JFR. */
    private void timedInvoke(Handle h) {
        boolean record = recordSlowCallbacks;
        if (record) {
            recorder.beginCallback();
        }
        long start = System.nanoTime();
        try {
            h.invoke();
        } finally {
            if (record) {
                recorder.endCallback(h);
            }
            long took = System.nanoTime() - start;
            if (debug && took > slowCallbackNanos) {
                warn("callback " + h.describe() + " took " + took / 1_000_000 + " ms (threshold "
                        + slowCallbackNanos / 1_000_000 + " ms)");
            }
        }
    }

    // ------------------------------------------------------------------ scheduling

    /**
     * Makes and stores a {@link LoopLocal}'s value for this loop, once: the array is copied, so a
     * reader that got the old array without the lock never sees one being changed.
     *
     * @param local the loop-local
     * @return its value for this loop
     */
    Object initLocal(LoopLocal<?> local) {
        synchronized (localsLock) {
            Object[] values = locals;
            if (local.index < values.length && values[local.index] != null) {
                return values[local.index];
            }
            Object v = local.initialValue(this);
            values = locals; // the initial function may have made other values of this loop
            Object[] copy = Arrays.copyOf(values, Math.max(values.length, local.index + 1));
            copy[local.index] = v;
            locals = copy;
            return v;
        }
    }

    /**
     * Schedules {@code callback} to run in the next iteration, after the callbacks scheduled
     * before it (FIFO).
     *
     * <p><b>Threading:</b> loop thread only; from other threads use
     * {@link #callSoonThreadsafe(Runnable)}.
     *
     * @param callback what to run
     * @return a handle that can cancel it
     * @throws IllegalStateException if the loop is closed, or called from another thread while
     *                               the loop runs
     */
    public Handle callSoon(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkThread("callSoon");
        checkNotClosed("callSoon");
        Handle h = new Handle(callback);
        ready.add(h);
        return h;
    }

    /**
     * Schedules {@code callback} from any thread. Lock-free: the callback goes into a
     * multi-producer queue, then {@link Poller#wakeup()} is called, whose coalescing (one place:
     * the gate of {@link dev.pollen.spi.AbstractPoller}) signals the kernel only if the loop may
     * be blocked in {@code poll}: a loop that is awake costs the caller no system call and a
     * burst of submissions costs at most one.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param callback what to run on the loop thread
     * @return a handle that can cancel it (cancel from the loop thread)
     * @throws IllegalStateException if the loop is closed
     */
    public Handle callSoonThreadsafe(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkNotClosed("callSoonThreadsafe");
        Handle h = new Handle(callback);
        inbox.offer(h); // published before the wakeup: see the gate's "why no wakeup is lost"
        poller.wakeup();
        return h;
    }

    /**
     * Schedules {@code callback} to run after {@code delay} (never earlier).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param delay    how long from now; a negative delay is a deadline in the past, so such
     *                 timers run before others, in order of their deadlines (as asyncio)
     * @param callback what to run
     * @return a handle that can cancel it
     */
    public TimerHandle callLater(Duration delay, Runnable callback) {
        Objects.requireNonNull(delay, "delay");
        return callLaterNanos(saturatedNanos(delay), callback);
    }

    /**
     * Schedules {@code callback} to run after {@code delayNanos} nanoseconds (never earlier).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param delayNanos how long from now in nanoseconds
     * @param callback   what to run
     * @return a handle that can cancel it
     */
    public TimerHandle callLaterNanos(long delayNanos, Runnable callback) {
        long now = time();
        long deadline = now + delayNanos;
        // saturate instead of wrapping: an "infinite" delay must not become a past deadline
        if (((now ^ deadline) & (delayNanos ^ deadline)) < 0) {
            deadline = delayNanos > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return callAt(deadline, callback);
    }

    /**
     * Schedules {@code callback} to run when {@link #time()} reaches {@code deadlineNanos}.
     * Timers with the same deadline run in the order they were scheduled.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param deadlineNanos absolute loop time in nanoseconds
     * @param callback      what to run
     * @return a handle that can cancel it
     */
    public TimerHandle callAt(long deadlineNanos, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkThread("callAt");
        checkNotClosed("callAt");
        TimerHandle t = new TimerHandle(this, deadlineNanos, timerSequence++, callback);
        timers.add(t);
        return t;
    }

    void timerCancelled(TimerHandle t) {
        timers.remove(t);
    }

    /**
     * The loop's clock: monotonic nanoseconds ({@link System#nanoTime()}), or, for a loop built
     * with {@link Builder#virtualTime(boolean)}, virtual nanoseconds starting at 0.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the current loop time in nanoseconds
     */
    public long time() {
        return virtualTime ? virtualNow : System.nanoTime();
    }

    /**
     * Whether this loop runs on virtual time (its clock jumps to the next timer when nothing else
     * is ready).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true for a virtual-time loop
     */
    public boolean isVirtualTime() {
        return virtualTime;
    }

    /**
     * A new pending future bound to this loop.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param <T> the result type
     * @return the future
     */
    public <T> Future<T> createFuture() {
        return new Future<>(this);
    }

    <T> void scheduleDoneCallback(Future<T> future, Consumer<? super Future<T>> callback) {
        if (closed) {
            return; // a closed loop runs nothing; the callback is dropped with the loop
        }
        if (callback instanceof Handle h) {
            // A task's Step (only this package can subclass Handle): it is its own handle, so
            // waking a task allocates nothing.
            ready.add(h);
            return;
        }
        ready.add(new DoneCallbackHandle<>(future, callback));
    }

    /** Puts a handle (a task's step) on the ready queue. */
    void enqueue(Handle h) {
        ready.add(h);
    }

    /** Takes a handle back off the ready queue (a suspension that failed after scheduling). */
    void unschedule(Handle h) {
        ready.removeLastOccurrence(h);
    }

    // ------------------------------------------------------------------ tasks

    /**
     * Creates a task that runs {@code body} as a coroutine on this loop (asyncio's
     * {@code create_task}); its first step runs in the next iteration, or at once on a loop with
     * {@linkplain Builder#eagerTasks(boolean) eager tasks} (see
     * {@link #createTask(String, Callable, boolean)}). Inside the body, and in anything it calls,
     * {@link Future#await()} suspends only this task. The task starts with a copy of the creator's
     * {@linkplain TaskLocal task-local} values.
     *
     * <p><b>Threading:</b> loop thread only; from other threads use
     * {@code Async.runCoroutineThreadsafe}.
     *
     * @param body the task's body; its return value becomes the task's result
     * @param <T>  the result type
     * @return the task, already scheduled
     * @throws IllegalStateException if the loop is closed, or the JVM lacks
     *                               {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}
     *                               (the message says how to fix it)
     */
    public <T> Task<T> createTask(Callable<T> body) {
        return createTask(null, body);
    }

    /**
     * As {@link #createTask(Callable)}, with a name (null: {@code Task-<n>}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param name the task's name, or null
     * @param body the task's body
     * @param <T>  the result type
     * @return the task, already scheduled
     */
    public <T> Task<T> createTask(String name, Callable<T> body) {
        return createTask(name, body, eagerTasks);
    }

    /**
     * As {@link #createTask(String, Callable)}, choosing for this task whether it starts eagerly
     * (asyncio 3.14's {@code create_task(..., eager_start=)}), whatever the loop's
     * {@linkplain Builder#eagerTasks(boolean) default}.
     *
     * <p>An eager start runs the body at once, inside this call, until its first suspension
     * (an {@code await} of a pending future, {@link Task#yieldNow()}, a sleep...): the task is
     * then pending and resumes like any other. A body that returns or throws without suspending
     * leaves the task done when this returns, without a trip through the ready queue (the point
     * of eager tasks: a cache hit costs no loop iteration). While the body runs,
     * {@link Task#current()} is the new task; the caller goes on when it suspends or ends. A
     * cancellation requested during that first run is delivered as usual. The eager start
     * happens only on the thread of the running loop; before the loop runs, the task is
     * scheduled as usual. The ordering changes: an eager task's first step runs before
     * callbacks that are already ready, as in asyncio.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param name       the task's name, or null
     * @param body       the task's body
     * @param eagerStart whether to run the body at once until its first suspension
     * @param <T>        the result type
     * @return the task: scheduled, suspended after its eager start, or already done
     */
    public <T> Task<T> createTask(String name, Callable<T> body, boolean eagerStart) {
        Objects.requireNonNull(body, "body");
        checkThread("createTask");
        checkNotClosed("createTask");
        // The creator's task-locals: the running task's, else the loop's own (callbacks, setup).
        Object[] locals = suspender instanceof Step s ? s.task.locals : tasks.rootLocals;
        Task<T> t = new Task<>(this, name, body, locals);
        tasks.add(t);
        if (eagerStart && owner == Thread.currentThread()) {
            // Its first step, now, on this thread: nested inside the creator's step when a task
            // creates it (the JDK's continuations nest; the new task's suspension returns here).
            t.step();
        } else {
            ready.add(t.step);
        }
        return t;
    }

    /**
     * As {@link #createTask(String, ThrowingRunnable)}, choosing whether the task starts eagerly (see
     * {@link #createTask(String, Callable, boolean)}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param name       the task's name, or null
     * @param body       the task's body
     * @param eagerStart whether to run the body at once until its first suspension
     * @return the task: scheduled, suspended after its eager start, or already done
     */
    public Task<Void> createTask(String name, ThrowingRunnable body, boolean eagerStart) {
        return createTask(name, ThrowingRunnable.callable(body), eagerStart);
    }

    /**
     * Whether tasks created without an explicit {@code eagerStart} start eagerly (see
     * {@link Builder#eagerTasks(boolean)}).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the loop's default
     */
    public boolean isEagerTasks() {
        return eagerTasks;
    }

    /**
     * As {@link #createTask(Callable)} for a body without a result (the task's result is null).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param body the task's body
     * @return the task, already scheduled
     */
    public Task<Void> createTask(ThrowingRunnable body) {
        return createTask(null, body);
    }

    /**
     * As {@link #createTask(ThrowingRunnable)}, with a name (null: {@code Task-<n>}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param name the task's name, or null
     * @param body the task's body
     * @return the task, already scheduled
     */
    public Task<Void> createTask(String name, ThrowingRunnable body) {
        return createTask(name, body, eagerTasks);
    }

    /**
     * The task running right now on this loop (asyncio's {@code current_task(loop)}), or null
     * when called from a plain callback.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the running task or null
     */
    public Task<?> currentTask() {
        checkThread("currentTask");
        return suspender instanceof Step s ? s.task : null;
    }

    /**
     * The tasks of this loop that are not done yet, oldest first (asyncio's {@code all_tasks}).
     * The loop holds a strong reference to each until it is done.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return a snapshot
     */
    public Set<Task<?>> allTasks() {
        checkThread("allTasks");
        return tasks.snapshot();
    }

    /**
     * The executor that {@code Async.runInExecutor(null, ...)} and {@code Async.toThread} use
     * (asyncio's default executor): created on first use, a pool of up to
     * {@code min(32, processors + 4)} daemon threads named after the loop, idle threads ending
     * after 60 s. {@link #close()} shuts it down (running jobs finish, none start).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the default executor
     * @throws IllegalStateException if the loop is closed
     */
    public ExecutorService defaultExecutor() {
        checkThread("defaultExecutor");
        checkNotClosed("defaultExecutor");
        ExecutorService e = defaultExecutor;
        if (e == null) {
            int n = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
            AtomicInteger ids = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, name + "-executor-" + ids.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            defaultExecutor = e = pool;
        }
        return e;
    }

    /**
     * Replaces the default executor (asyncio's {@code set_default_executor}); the loop shuts it
     * down when closed.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param executor the executor, not null
     */
    public void setDefaultExecutor(ExecutorService executor) {
        checkThread("setDefaultExecutor");
        this.defaultExecutor = Objects.requireNonNull(executor, "executor");
    }

    // ------------------------------------------------------------------ signals

    /**
     * Calls {@code callback} on this loop's thread each time the process receives
     * {@code signal} (asyncio's {@code loop.add_signal_handler}), replacing this loop's earlier
     * handler for that signal. The JVM's own handling of the signal (for INT, TERM and HUP: run
     * the shutdown hooks and exit) is off while any loop has a handler for it;
     * {@link #removeSignalHandler} or {@link #close()} puts it back.
     *
     * <p>Signals reach the loop through the JVM's signal thread and
     * {@link #callSoonThreadsafe}: the callback runs as a ready callback of the next iteration
     * (its exceptions go to the {@linkplain #setExceptionHandler exception handler}), once per
     * signal the JVM saw; the kernel may merge signals that arrive together. Several loops may
     * handle the same signal: each runs its own callback.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param signal   the signal's name, with or without {@code SIG}: {@code "TERM"},
     *                 {@code "SIGINT"}, {@code "HUP"}, {@code "USR1"}...
     * @param callback what to run
     * @throws IllegalArgumentException if the system has no such signal, or it cannot be caught
     *                                  (KILL, STOP; QUIT, which is the JVM's thread dump; INT,
     *                                  TERM and HUP in a JVM started with {@code -Xrs})
     * @throws IllegalStateException    if the loop is closed
     */
    public void addSignalHandler(String signal, Runnable callback) {
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(callback, "callback");
        checkThread("addSignalHandler");
        checkNotClosed("addSignalHandler");
        String name = SignalDispatch.canonical(signal);
        SignalDispatch.add(this, name); // validates before anything is recorded
        signalHandlers.put(name, callback);
    }

    /**
     * Removes this loop's handler for {@code signal} (asyncio's
     * {@code loop.remove_signal_handler}); once no loop handles it, the handling it had before
     * the first {@link #addSignalHandler} is restored (the JVM's own, unless something else had
     * replaced it). A signal already on its way to the loop runs no callback.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param signal the signal's name, with or without {@code SIG}
     * @return true if this loop had a handler for it
     */
    public boolean removeSignalHandler(String signal) {
        Objects.requireNonNull(signal, "signal");
        checkThread("removeSignalHandler");
        String name = SignalDispatch.canonical(signal);
        if (signalHandlers.remove(name) == null) {
            return false;
        }
        SignalDispatch.remove(this, name);
        return true;
    }

    /** From the JVM's signal thread: run this loop's handler for {@code name}, if any, soon. */
    void deliverSignal(String name) {
        try {
            callSoonThreadsafe(() -> {
                Runnable callback = signalHandlers.get(name);
                if (callback != null) {
                    callback.run();
                }
            });
        } catch (IllegalStateException closedMeanwhile) {
            // the loop closed between the signal and here; close() removes its handlers
        }
    }

    private void removeSignalHandlers() {
        for (String name : new ArrayList<>(signalHandlers.keySet())) {
            signalHandlers.remove(name);
            SignalDispatch.remove(this, name);
        }
    }

    // ------------------------------------------------------------------ fd watchers

    /**
     * Calls {@code callback} whenever {@code source} is readable (asyncio's {@code add_reader}),
     * replacing an earlier reader of the same source. The callback runs inside the poll, on the
     * loop thread.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param source   a source made by this loop's {@link #poller()}
     * @param callback what to run when readable
     */
    public void addReader(IoSource source, Runnable callback) {
        watcher(source, "addReader").setReader(Objects.requireNonNull(callback, "callback"));
    }

    /**
     * Stops watching {@code source} for reading.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param source the source
     * @return true if a reader was registered
     */
    public boolean removeReader(IoSource source) {
        checkThread("removeReader");
        Watcher w = watchers.get(source);
        return w != null && w.setReader(null);
    }

    /**
     * Calls {@code callback} whenever {@code source} is writable (asyncio's {@code add_writer}),
     * replacing an earlier writer of the same source.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param source   a source made by this loop's {@link #poller()}
     * @param callback what to run when writable
     */
    public void addWriter(IoSource source, Runnable callback) {
        watcher(source, "addWriter").setWriter(Objects.requireNonNull(callback, "callback"));
    }

    /**
     * Stops watching {@code source} for writing.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param source the source
     * @return true if a writer was registered
     */
    public boolean removeWriter(IoSource source) {
        checkThread("removeWriter");
        Watcher w = watchers.get(source);
        return w != null && w.setWriter(null);
    }

    private Watcher watcher(IoSource source, String method) {
        Objects.requireNonNull(source, "source");
        checkThread(method);
        checkNotClosed(method);
        Watcher w = watchers.get(source);
        if (w == null) {
            w = new Watcher(source);
            w.registration = poller.register(source, 0, w);
            watchers.put(source, w);
        }
        return w;
    }

    /** The registration behind addReader/addWriter of one source. */
    private final class Watcher implements dev.pollen.spi.IoHandler {
        private final IoSource source;
        Registration registration;
        private Runnable reader;
        private Runnable writer;

        Watcher(IoSource source) {
            this.source = source;
        }

        boolean setReader(Runnable r) {
            boolean had = reader != null;
            reader = r;
            update();
            return had;
        }

        boolean setWriter(Runnable w) {
            boolean had = writer != null;
            writer = w;
            update();
            return had;
        }

        private void update() {
            int ops = (reader != null ? Poller.READ : 0) | (writer != null ? Poller.WRITE : 0);
            if (ops == 0) {
                registration.cancel();
                watchers.remove(source);
            } else if (registration.interest() != ops) {
                registration.interest(ops);
            }
        }

        @Override
        public void onReady(int readyOps) {
            Runnable r = reader;
            if ((readyOps & Poller.READ) != 0 && r != null) {
                runWatcher(r, "reader");
            }
            Runnable w = writer;
            if ((readyOps & Poller.WRITE) != 0 && w != null && registration.isValid()) {
                runWatcher(w, "writer");
            }
        }

        private void runWatcher(Runnable r, String kind) {
            try {
                r.run();
            } catch (Throwable e) {
                report("exception in " + kind + " callback of " + source + ": ", r, e, source);
            }
        }
    }

    // ------------------------------------------------------------------ errors and debug

    /**
     * Sets the handler for exceptions that escape callbacks, or null for the default (log through
     * {@link System.Logger} at ERROR).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param handler the handler or null
     */
    public void setExceptionHandler(ExceptionHandler handler) {
        checkThread("setExceptionHandler");
        this.exceptionHandler = handler;
    }

    /**
     * The handler set with {@link #setExceptionHandler}, or null for the default.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the handler or null
     */
    public ExceptionHandler getExceptionHandler() {
        return exceptionHandler;
    }

    /**
     * Passes an error to the exception handler (asyncio's {@code call_exception_handler}). Never
     * throws: if the handler throws, the context and the handler's failure both go to the
     * {@linkplain #defaultExceptionHandler default handling}, and if that fails too, to a plain
     * line on standard error (see the class comment).
     *
     * <p><b>Threading:</b> loop thread only (or any thread once the loop has stopped, e.g. by the
     * thread that ran it).
     *
     * @param context what went wrong
     */
    public void callExceptionHandler(ExceptionContext context) {
        ExceptionHandler h = exceptionHandler;
        if (h == null) {
            defaultExceptionHandler(context);
            return;
        }
        try {
            h.handle(this, context);
        } catch (Throwable handlerFailure) {
            defaultExceptionHandler(context);
            try {
                defaultExceptionHandler(new ExceptionContext("the exception handler " + h
                        + " threw while handling the report above (" + context.message() + ")",
                        handlerFailure, h));
            } catch (Throwable e) {
                Reporting.line(name, "the exception handler threw", handlerFailure, e);
            }
        }
    }

    /**
     * The default handling: logs the context through {@link System.Logger} at ERROR, with the
     * exception's stack trace. A {@linkplain ExceptionContext#isRoutineNetworkError() routine
     * network error} (a peer reset, a broken pipe, a timeout...) is instead one line without a
     * stack trace at INFO on the logger {@code dev.pollen.net.routine}, which an operator turns
     * off by setting that logger's level to WARNING. Never throws: if logging fails, it writes
     * one plain line to standard error instead (see the class comment).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param context what went wrong
     */
    public void defaultExceptionHandler(ExceptionContext context) {
        try {
            Throwable routine = RoutineNetworkErrors.find(context.exception());
            if (routine != null) {
                if (ROUTINE_LOG.isLoggable(System.Logger.Level.INFO)) {
                    ROUTINE_LOG.log(System.Logger.Level.INFO, "loop " + name + ": "
                            + context.message()
                            + (context.source() != null ? " [source: " + context.source() + "]" : "")
                            + ": " + routine.getClass().getSimpleName() + ": " + routine.getMessage());
                }
                return;
            }
            LOG.log(System.Logger.Level.ERROR, "loop " + name + ": " + context.message()
                    + (context.source() != null ? " [source: " + context.source() + "]" : ""),
                    context.exception());
        } catch (Throwable logFailure) {
            String message;
            Throwable exception;
            try {
                message = context.message();
                exception = context.exception();
            } catch (Throwable e) { // a null context
                message = "(no context)";
                exception = null;
            }
            Reporting.line(name, message, exception, logFailure);
        }
    }

    /**
     * Reports what a callback (or the loop itself) threw: {@code what + detail} is the message
     * (for a {@link Handle}, its description).
     * Never throws; if even building the report fails (out of memory, a {@code toString} that
     * throws), the plain line on standard error says so.
     */
    void report(String what, Object detail, Throwable e, Object source) {
        try {
            Object d = detail instanceof Handle h ? h.describe() : detail; // may call user code
            callExceptionHandler(new ExceptionContext(d == null ? what : what + d, e, source));
        } catch (Throwable reportFailure) {
            Reporting.line(name, what, e, reportFailure);
        }
    }

    /** A warning through the logger (debug mode); never throws, like the reports. */
    private void warn(String message) {
        try {
            LOG.log(System.Logger.Level.WARNING, "loop " + name + ": " + message);
        } catch (Throwable logFailure) {
            Reporting.line(name, message, null, logFailure);
        }
    }

    void reportUnretrieved(ExceptionContext context) {
        if (!closed) {
            try {
                callSoonThreadsafe(() -> callExceptionHandler(context));
                return;
            } catch (IllegalStateException closedMeanwhile) {
                // fall through to logging directly
            }
        }
        defaultExceptionHandler(context);
    }

    /**
     * Turns debug mode on or off (see the class comment).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param debug whether to enable it
     */
    public void setDebug(boolean debug) {
        checkThread("setDebug");
        this.debug = debug;
    }

    /**
     * Whether debug mode is on.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true in debug mode
     */
    public boolean isDebug() {
        return debug;
    }

    /**
     * Sets the duration above which debug mode reports a callback as slow.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param threshold a positive duration
     */
    public void setSlowCallbackThreshold(Duration threshold) {
        checkThread("setSlowCallbackThreshold");
        if (threshold.isNegative() || threshold.isZero()) {
            throw new IllegalArgumentException("slow callback threshold must be positive, got "
                    + threshold);
        }
        this.slowCallbackNanos = threshold.toNanos();
    }

    // ------------------------------------------------------------------ accessors

    /**
     * The loop's name, also the name of the thread {@link #startThread()} starts.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The poller this loop drives; its socket layer makes the sources the loop can watch.
     *
     * <p><b>Threading:</b> any thread may obtain it; use it on the loop thread only.
     *
     * @return the poller
     */
    public Poller poller() {
        return poller;
    }

    /**
     * The thread running the loop right now.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the loop thread, or null when not running
     */
    public Thread thread() {
        return owner;
    }

    /**
     * Whether the calling thread is this loop's thread (true before the loop first runs, when
     * any thread may set it up).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true if loop-thread-only methods may be called now
     */
    public boolean inLoopThread() {
        Thread o = owner;
        return o == null || o == Thread.currentThread();
    }

    /**
     * A snapshot of the loop's counters.
     *
     * <p><b>Threading:</b> any thread (see {@link LoopStats}).
     *
     * @return the counters
     */
    public LoopStats stats() {
        return new LoopStats(iterations, callbacksRun, ioEvents, timers.size(), nanosPolling,
                nanosRunning);
    }

    /**
     * Throws if called from a thread other than the running loop's.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param method the method name for the message
     * @throws IllegalStateException naming the method and the loop's thread
     */
    public void checkThread(String method) {
        Thread o = owner;
        if (o != null && o != Thread.currentThread()) {
            throw new IllegalStateException(method + " must be called on the thread of loop "
                    + name + " (" + o.getName() + "), not on " + Thread.currentThread().getName()
                    + "; hand work to the loop with callSoonThreadsafe");
        }
    }

    private void checkNotClosed(String method) {
        if (closed) {
            throw new IllegalStateException(method + ": loop " + name + " is closed");
        }
    }

    // ------------------------------------------------------------------ task hook

    /** The running task of the loop that {@code future} belongs to, or a clear error. */
    static Suspender currentSuspender(Future<?> future) {
        EventLoop l = future.loop;
        if (l.owner == Thread.currentThread()) {
            Suspender s = l.suspender;
            if (s != null) {
                return s;
            }
            throw new IllegalStateException("await() called outside a task: only code running "
                    + "inside a task (loop.createTask) can await; from a plain callback use "
                    + "addDoneCallback");
        }
        EventLoop here = CURRENT.get();
        if (here != null) {
            throw new IllegalStateException("await() on a future of loop " + l.name
                    + " from a task of loop " + here.name + ": a task can only await futures of "
                    + "its own loop; use Future.wrap(loop, future.toCompletableFuture()) to bridge");
        }
        throw new IllegalStateException("await() called outside a running event loop (thread "
                + Thread.currentThread().getName() + "): only code inside a task can await");
    }

    /** Called by the task layer when a task starts or resumes a step on this loop's thread. */
    Suspender enterSuspender(Suspender s) {
        Suspender previous = suspender;
        suspender = s;
        return previous;
    }

    /** Called by the task layer when the task's step ends. */
    void exitSuspender(Suspender previous) {
        suspender = previous;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    @Override
    public String toString() {
        return "EventLoop[" + name + ", poller=" + poller.name()
                + (closed ? ", closed" : owner != null ? ", running" : ", idle") + "]";
    }

    /**
     * Settings for a new {@link EventLoop}.
     *
     * <p><b>Threading:</b> not thread-safe; build on one thread.
     */
    public static final class Builder {
        private String pollerName;
        private Poller poller;
        private String name;
        private boolean debug = Boolean.getBoolean("pollen.debug");
        private Duration slowCallback = Duration.ofMillis(100);
        private boolean virtualTime;
        private boolean eagerTasks;
        private ExceptionHandler exceptionHandler;

        private Builder() {
        }

        /**
         * Selects the poller by provider name ({@code auto} for the best available), overriding
         * {@code -Dpollen.poller}.
         *
         * @param name the provider name
         * @return this builder
         */
        public Builder poller(String name) {
            this.pollerName = Objects.requireNonNull(name, "poller name");
            return this;
        }

        /**
         * Uses an existing, unused poller; the loop takes ownership and closes it.
         *
         * @param poller the poller
         * @return this builder
         */
        public Builder poller(Poller poller) {
            this.poller = Objects.requireNonNull(poller, "poller");
            return this;
        }

        /**
         * Names the loop (and the thread {@link EventLoop#startThread()} starts).
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Enables debug mode (default: {@code -Dpollen.debug}).
         *
         * @param debug whether to enable it
         * @return this builder
         */
        public Builder debug(boolean debug) {
            this.debug = debug;
            return this;
        }

        /**
         * The duration above which debug mode reports a callback as slow (default 100 ms).
         *
         * @param threshold a positive duration
         * @return this builder
         */
        public Builder slowCallbackThreshold(Duration threshold) {
            if (threshold == null || threshold.isNegative() || threshold.isZero()) {
                throw new IllegalArgumentException("slow callback threshold must be a positive "
                        + "duration, got " + threshold);
            }
            this.slowCallback = threshold;
            return this;
        }

        /**
         * Runs the loop on virtual time: its clock starts at 0 and, whenever nothing is ready and
         * no I/O event arrived, jumps straight to the next timer's deadline instead of waiting
         * (like tokio's paused time). A test of code that sleeps for an hour then runs in
         * milliseconds. I/O and cross-thread hand-ins still work and are waited for in real time
         * when no timer is pending.
         *
         * @param virtualTime whether to use virtual time
         * @return this builder
         */
        public Builder virtualTime(boolean virtualTime) {
            this.virtualTime = virtualTime;
            return this;
        }

        /**
         * Starts every task created without an explicit choice eagerly (asyncio's
         * {@code loop.set_task_factory(asyncio.eager_task_factory)}; default false): the body
         * runs inside {@code createTask} until its first suspension, and a task that never
         * suspends is done when {@code createTask} returns. See
         * {@link EventLoop#createTask(String, Callable, boolean)}, which also chooses per task.
         *
         * @param eagerTasks whether tasks start eagerly
         * @return this builder
         */
        public Builder eagerTasks(boolean eagerTasks) {
            this.eagerTasks = eagerTasks;
            return this;
        }

        /**
         * The initial exception handler.
         *
         * @param handler the handler, or null for the default
         * @return this builder
         */
        public Builder exceptionHandler(ExceptionHandler handler) {
            this.exceptionHandler = handler;
            return this;
        }

        /**
         * Creates the loop (and its poller, unless one was given).
         *
         * @return the loop
         * @throws IllegalArgumentException if the selected poller is unknown or unavailable
         */
        public EventLoop build() {
            return new EventLoop(this);
        }
    }
}
