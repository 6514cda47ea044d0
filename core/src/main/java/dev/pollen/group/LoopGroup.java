package dev.pollen.group;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.ExceptionHandler;
import dev.pollen.loop.LoopStats;
import dev.pollen.loop.jfr.LoopDeathEvent;
import dev.pollen.net.ClientConnected;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Protocol;
import dev.pollen.net.tls.TlsConfig;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Pollers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A fixed set of event loops, one per platform thread, each with its own poller — the shape of a
 * server or proxy that uses every core (Netty's {@code EventLoopGroup}).
 *
 * <pre>{@code
 * try (LoopGroup group = new LoopGroup(4)) {          // default: one loop per processor
 *     GroupServer server = group.createServer(EchoProtocol::new, "0.0.0.0", 8080).join();
 *     EventLoop loop = group.next();                     // round-robin
 *     CompletableFuture<Integer> n = group.submit(() -> 6 * 7);  // runs on a loop thread
 *     ...
 *     group.shutdownGracefully(Duration.ofSeconds(2), Duration.ofSeconds(15)).join();
 * }
 * }</pre>
 *
 * <h2>Loops</h2>
 * The loops start when the group is built and run until it shuts down, on threads named after
 * them ({@code pollen-group1-loop-0}, ...). Each loop is an ordinary {@link EventLoop}: hand work
 * to it from any thread with {@link EventLoop#callSoonThreadsafe(Runnable)}, or through the
 * group's {@link #submit(Supplier)} and {@link #execute(Runnable)}. A connection stays on the loop
 * that accepted it for its whole life; so does anything piped to it on that loop. A
 * {@code loop.stop()} from user code does not end a group's loop: only the group's shutdown does.
 *
 * <h2>Shutdown</h2>
 * {@link #shutdownGracefully(Duration, Duration)}: new submissions are refused and the group's
 * servers stop accepting at once; each loop then runs until it has been quiet for the quiet period
 * (see below) or the timeout passes, when what is left is cancelled — tasks through
 * {@link dev.pollen.loop.Task#cancel(String)}, server connections closed, then aborted — and the
 * loop stops and is closed by its own thread. A loop is <em>quiet</em> when it runs no callbacks
 * and has no pending timers, no live tasks and no open server connections. {@link #shutdownNow()}
 * does the cancelling at once; {@link #close()} is {@code shutdownNow()} plus waiting.
 * Both return {@link #terminationFuture()}, completed when every loop thread has ended.
 *
 * <p>Connections a loop made itself ({@code Net.createConnection}) are not the group's: close
 * them when their partner connection is lost or in a task's {@code finally} — the cancel at the
 * deadline reaches every task.
 *
 * <h2>A loop that dies</h2>
 * A loop's thread does not end because of what its callbacks throw (see {@link EventLoop}'s
 * "Errors"); it can still end if the loop cannot go on (its poller was closed under it) or a
 * fault inside the loop itself escapes. The group notices at once, on that thread:
 * <ul>
 *   <li>it closes the loop's listening sockets of every {@link GroupServer}, so the kernel stops
 *       handing {@code SO_REUSEPORT} connections to a loop that would never accept them, and a
 *       single acceptor stops handing sockets to it;</li>
 *   <li>it reports the death through the loop's exception handler (default: the log), records a
 *       {@code dev.pollen.LoopDeath} JDK Flight Recorder event
 *       ({@link dev.pollen.loop.jfr.LoopDeathEvent}), and lists the loop in {@link #deadLoops()};
 *   </li>
 *   <li>then it closes the loop (its connections are aborted, so their peers see a reset rather
 *       than silence). The other loops keep serving; {@link #next()} and {@link #submit} skip the
 *       dead one. When every loop has ended, {@link #terminationFuture()} completes.</li>
 * </ul>
 *
 * <h2>Figures</h2>
 * {@link #stats()} gives each loop's {@link LoopStats} (iterations, callbacks, I/O events, pending
 * timers, time in {@code poll} versus running), readable at any time from any thread. Loop health
 * goes to JDK Flight Recorder as {@code dev.pollen.SlowCallback} and
 * {@code dev.pollen.LongIteration} events (see {@link dev.pollen.loop.jfr}).
 *
 * <p><b>Threading:</b> every method is thread-safe unless its Javadoc says otherwise.
 */
public final class LoopGroup implements Executor, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LoopGroup.class.getName());
    private static final AtomicInteger IDS = new AtomicInteger();

    private static final int ACTIVE = 0;
    private static final int SHUTTING_DOWN = 1;
    private static final int FORCED = 2;

    /** The default quiet period of {@link #shutdownGracefully()} (Netty's). */
    public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofSeconds(2);
    /** The default timeout of {@link #shutdownGracefully()} (Netty's). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    private final String name;
    private final Member[] members;
    private final List<EventLoop> loops;
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final AtomicInteger alive;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final CopyOnWriteArrayList<GroupService> services = new CopyOnWriteArrayList<>();
    private final Set<CompletableFuture<?>> pendingAtTermination = ConcurrentHashMap.newKeySet();
    private final Object stateLock = new Object();
    private volatile int state = ACTIVE;
    /** Indexes of the loops whose thread ended unexpectedly, in the order they died. */
    private final CopyOnWriteArrayList<Integer> dead = new CopyOnWriteArrayList<>();

    /**
     * A group of one loop per available processor on the configured poller
     * ({@code -Dpollen.poller}, default {@code auto}).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @throws IllegalArgumentException if the configured poller is unknown or unavailable
     */
    public LoopGroup() {
        this(builder());
    }

    /**
     * A group of {@code loops} loops on the configured poller.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param loops how many loops (threads), at least 1
     * @throws IllegalArgumentException if {@code loops < 1} or the poller is unavailable
     */
    public LoopGroup(int loops) {
        this(builder().loops(loops));
    }

    private LoopGroup(Builder b) {
        this.name = b.name != null ? b.name : "pollen-group" + IDS.incrementAndGet();
        int n = b.loops;
        this.members = new Member[n];
        List<EventLoop> list = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                EventLoop.Builder lb = EventLoop.builder().name(name + "-loop-" + i)
                        .debug(b.debug).exceptionHandler(b.exceptionHandler);
                if (b.slowCallbackThreshold != null) {
                    lb.slowCallbackThreshold(b.slowCallbackThreshold);
                }
                if (b.pollerFactory != null) {
                    lb.poller(Objects.requireNonNull(b.pollerFactory.get(),
                            "the poller factory returned null"));
                } else {
                    lb.poller(b.pollerName != null ? b.pollerName : Pollers.configuredName());
                }
                EventLoop loop = lb.build();
                list.add(loop);
                members[i] = new Member(this, loop, i, b.daemon);
            }
        } catch (RuntimeException | Error e) {
            for (EventLoop l : list) {
                l.close();
            }
            throw e;
        }
        this.loops = List.copyOf(list);
        this.alive = new AtomicInteger(n);
        for (Member m : members) {
            m.thread.start();
        }
    }

    /**
     * A builder for a group with non-default settings.
     *
     * <p><b>Threading:</b> any thread; the builder itself is not thread-safe.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ loops

    /**
     * The group's name, the prefix of its loops' and threads' names.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return e.g. {@code pollen-group1}
     */
    public String name() {
        return name;
    }

    /**
     * How many loops the group has.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the number of loops
     */
    public int size() {
        return members.length;
    }

    /**
     * The loops, in index order.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return an unmodifiable list
     */
    public List<EventLoop> loops() {
        return loops;
    }

    /**
     * The loop at {@code index}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param index 0 to {@code size() - 1}
     * @return the loop
     * @throws IndexOutOfBoundsException if out of range
     */
    public EventLoop loop(int index) {
        return members[Objects.checkIndex(index, members.length)].loop;
    }

    /**
     * The next loop in round-robin order: lock-free, one atomic increment.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return a loop of this group
     */
    public EventLoop next() {
        int i = nextIndex.getAndIncrement();
        // the counter wraps after 2^31 picks: masking the sign bit keeps the index valid
        int first = (i & Integer.MAX_VALUE) % members.length;
        Member m = members[first];
        if (m.died) {
            // skip loops that died (see the class comment); if every one did, any will refuse
            for (int k = 1; k < members.length; k++) {
                Member other = members[(first + k) % members.length];
                if (!other.died) {
                    return other.loop;
                }
            }
        }
        return m.loop;
    }

    /**
     * The index of {@code loop} in this group, or -1 if it is not one of the group's loops.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param loop a loop
     * @return its index, or -1
     */
    public int indexOf(EventLoop loop) {
        for (Member m : members) {
            if (m.loop == loop) {
                return m.index;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ handing work in

    /**
     * Runs {@code work} on the next loop (round-robin); its result or exception completes the
     * returned future on that loop's thread — so non-{@code Async} dependent stages run on the
     * loop thread too and must not block it.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param work what to run on a loop thread
     * @param <T>  the result type
     * @return a future of the result; cancelling it before the work starts prevents the run
     * @throws RejectedExecutionException if the group is shutting down
     */
    public <T> CompletableFuture<T> submit(Supplier<? extends T> work) {
        Objects.requireNonNull(work, "work");
        Submission<T> s = new Submission<>(work);
        handIn(next(), s, s);
        return s;
    }

    /**
     * Runs {@code work} on the next loop; see {@link #submit(Supplier)}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param work what to run on a loop thread
     * @return a future completed (with null) after the work ran
     * @throws RejectedExecutionException if the group is shutting down
     */
    public CompletableFuture<Void> submit(Runnable work) {
        Objects.requireNonNull(work, "work");
        return submit(new RunnableWork(work));
    }

    /**
     * Runs {@code work} on {@code loop}; see {@link #submit(Supplier)}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param loop one of this group's loops
     * @param work what to run on its thread
     * @param <T>  the result type
     * @return a future of the result
     * @throws IllegalArgumentException   if {@code loop} is not one of this group's
     * @throws RejectedExecutionException if the group is shutting down
     */
    public <T> CompletableFuture<T> submit(EventLoop loop, Supplier<? extends T> work) {
        Objects.requireNonNull(work, "work");
        checkMember(loop);
        Submission<T> s = new Submission<>(work);
        handIn(loop, s, s);
        return s;
    }

    /**
     * Runs {@code work} on {@code loop}; see {@link #submit(Supplier)}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param loop one of this group's loops
     * @param work what to run on its thread
     * @return a future completed (with null) after the work ran
     * @throws IllegalArgumentException   if {@code loop} is not one of this group's
     * @throws RejectedExecutionException if the group is shutting down
     */
    public CompletableFuture<Void> submit(EventLoop loop, Runnable work) {
        Objects.requireNonNull(work, "work");
        return submit(loop, new RunnableWork(work));
    }

    /**
     * Runs {@code command} on the next loop (a plain {@code callSoonThreadsafe}: no future).
     * Exceptions go to that loop's exception handler. With this, the group is an
     * {@link Executor} for {@code CompletableFuture.supplyAsync(..., group)} and the like.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param command what to run on a loop thread
     * @throws RejectedExecutionException if the group is shutting down
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        handIn(next(), command, null);
    }

    /**
     * Queues {@code r} on {@code loop}. A hand-in that races with the start of a shutdown is
     * resolved without locks: the state is read again after queueing; if a shutdown started
     * meanwhile, the submission is rejected unless the loop already claimed it (and a plain
     * {@code execute} may or may not run — the caller is told it was refused).
     */
    private void handIn(EventLoop loop, Runnable r, Submission<?> s) {
        if (state != ACTIVE) {
            throw rejected();
        }
        try {
            loop.callSoonThreadsafe(r);
        } catch (IllegalStateException closed) {
            throw rejected();
        }
        // A shutdown hands its own callback to every loop after changing the state, so a
        // submission queued before that change runs before the loop can finish; one queued after
        // it may be dropped when the loop closes.
        if (state != ACTIVE) {
            RejectedExecutionException e = rejected();
            if (s == null || s.reject(e)) {
                throw e;
            }
        }
    }

    private void checkMember(EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        if (indexOf(loop) < 0) {
            throw new IllegalArgumentException("loop " + loop.name() + " is not a loop of group "
                    + name);
        }
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("loop group " + name + " is shutting down: "
                + "submissions are refused");
    }

    // ------------------------------------------------------------------ figures

    /**
     * The loops whose thread ended unexpectedly (not by the group's shutdown), by index, in the
     * order they died (see the class comment). Empty while every loop is healthy: a health check
     * can watch this.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return an unmodifiable snapshot
     */
    public List<Integer> deadLoops() {
        return List.copyOf(dead);
    }

    /**
     * Every loop's counters, in loop order (see {@link EventLoop#stats()}).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return one snapshot per loop
     */
    public List<LoopStats> stats() {
        List<LoopStats> out = new ArrayList<>(members.length);
        for (Member m : members) {
            out.add(m.loop.stats());
        }
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------ servers

    /**
     * Starts a TCP server that accepts on every loop of the group; see {@link GroupServer}.
     * The protocol factory is called on every loop's thread, concurrently: it must be
     * thread-safe (a constructor reference is).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param protocolFactory makes one protocol per connection
     * @param host            where to listen, or null for every interface
     * @param port            0 to 65535; 0 picks a free port (the same one on every loop)
     * @return the server's future, completed on a loop thread
     * @throws RejectedExecutionException if the group is shutting down
     */
    public CompletableFuture<GroupServer> createServer(Supplier<? extends Protocol> protocolFactory,
            String host, int port) {
        return createServer(protocolFactory, host, port, NetOptions.defaults());
    }

    /**
     * As {@link #createServer(Supplier, String, int)} with options.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param protocolFactory makes one protocol per connection (thread-safe)
     * @param host            where to listen, or null for every interface
     * @param port            0 to 65535
     * @param options         backlog, socket options, water marks ({@code reusePort} is set by
     *                        the group where it spreads connections)
     * @return the server's future
     * @throws RejectedExecutionException if the group is shutting down
     */
    public CompletableFuture<GroupServer> createServer(Supplier<? extends Protocol> protocolFactory,
            String host, int port, NetOptions options) {
        return GroupServer.start(this, protocolFactory, host, port, options,
                GroupServer.Spread.AUTO);
    }

    /**
     * Starts a TCP stream server that accepts on every loop of the group (asyncio's
     * {@code start_server}, spread as {@link #createServer}): every connection gets a
     * {@link dev.pollen.net.StreamReader} and {@link dev.pollen.net.StreamWriter} and runs
     * {@code handler} as a task on the loop that serves it, as {@link Net#startServer} does on
     * one loop.
     *
     * <p><b>Threading:</b> any thread; {@code handler} runs on every loop's thread concurrently,
     * so it must be thread-safe (a lambda that keeps its state in local variables is).
     *
     * @param handler run as a new task for every connection
     * @param host    where to listen, or null for every interface
     * @param port    0 to 65535; 0 picks a free port (the same one on every loop)
     * @return the server's future, completed on a loop thread
     * @throws RejectedExecutionException if the group is shutting down
     */
    public CompletableFuture<GroupServer> startServer(ClientConnected handler, String host,
            int port) {
        return startServer(handler, host, port, NetOptions.defaults());
    }

    /**
     * As {@link #startServer(ClientConnected, String, int)} with options.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param handler run as a new task for every connection (thread-safe)
     * @param host    where to listen, or null for every interface
     * @param port    0 to 65535
     * @param options backlog, socket options, water marks, stream limit
     * @return the server's future
     * @throws RejectedExecutionException if the group is shutting down
     */
    public CompletableFuture<GroupServer> startServer(ClientConnected handler, String host,
            int port, NetOptions options) {
        return createServer(Net.streamServerFactory(handler, options), host, port, options);
    }

    /**
     * As {@link #startServer(ClientConnected, String, int, NetOptions)} over TLS: the handler
     * reads and writes plaintext once the handshake is done.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param handler run as a new task for every connection (thread-safe)
     * @param host    where to listen, or null for every interface
     * @param port    0 to 65535
     * @param options backlog, socket options, water marks, stream limit
     * @param tls     a {@link TlsConfig#forServer} configuration
     * @return the server's future
     * @throws RejectedExecutionException if the group is shutting down
     */
    public CompletableFuture<GroupServer> startServer(ClientConnected handler, String host,
            int port, NetOptions options, TlsConfig tls) {
        return createServer(Net.tlsServerFactory(tls, Net.streamServerFactory(handler, options)),
                host, port, options);
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * {@link #shutdownGracefully(Duration, Duration)} with a quiet period of 2 s and a timeout of
     * 15 s.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return {@link #terminationFuture()}
     */
    public CompletableFuture<Void> shutdownGracefully() {
        return shutdownGracefully(DEFAULT_QUIET_PERIOD, DEFAULT_TIMEOUT);
    }

    /**
     * Shuts the group down gracefully (see the class comment). Returns at once. Idempotent: a
     * later call neither shortens nor extends a shutdown in progress.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param quietPeriod how long a loop must be quiet before it ends (zero: as soon as it is)
     * @param timeout     when to cancel what is left, at least {@code quietPeriod}
     * @return {@link #terminationFuture()}
     * @throws IllegalArgumentException if a duration is negative or
     *                                  {@code timeout < quietPeriod}
     */
    public CompletableFuture<Void> shutdownGracefully(Duration quietPeriod, Duration timeout) {
        Objects.requireNonNull(quietPeriod, "quietPeriod");
        Objects.requireNonNull(timeout, "timeout");
        if (quietPeriod.isNegative()) {
            throw new IllegalArgumentException("quietPeriod must not be negative, got "
                    + quietPeriod);
        }
        if (timeout.compareTo(quietPeriod) < 0) {
            throw new IllegalArgumentException("timeout must be at least the quiet period ("
                    + quietPeriod + "), got " + timeout);
        }
        begin(SHUTTING_DOWN, saturatedNanos(quietPeriod), saturatedNanos(timeout));
        return terminated.copy();
    }

    /**
     * Shuts the group down now: refuses submissions, stops the servers accepting, cancels every
     * loop's tasks and closes its server connections, gives cancelled tasks
     * {@value LoopDrain#MIN_CANCEL_TURNS} iterations to run their {@code finally} blocks,
     * aborts what is still open, and stops and closes every loop. Escalates a graceful shutdown
     * in progress. Returns at once.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return {@link #terminationFuture()}
     */
    public CompletableFuture<Void> shutdownNow() {
        begin(FORCED, 0, 0);
        return terminated.copy();
    }

    /**
     * {@link #shutdownNow()}, then waits for every loop thread to end.
     *
     * <p><b>Threading:</b> any thread except a loop thread of this group (which would wait for
     * itself).
     *
     * @throws IllegalStateException if called on one of the group's loop threads
     */
    @Override
    public void close() {
        for (Member m : members) {
            if (m.thread == Thread.currentThread()) {
                throw new IllegalStateException("close() called on " + m.loop.name()
                        + ", a loop thread of group " + name + ": it would wait for itself; "
                        + "call shutdownNow() instead");
            }
        }
        shutdownNow();
        boolean interrupted = false;
        while (true) {
            try {
                terminated.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (java.util.concurrent.ExecutionException e) {
                break; // termination never fails; nothing to report
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits up to {@code timeout} for every loop thread to end.
     *
     * <p><b>Threading:</b> any thread except a loop thread of this group.
     *
     * @param timeout how long to wait
     * @return true if the group terminated
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        try {
            terminated.get(saturatedNanos(timeout), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    /**
     * A future completed (with null, on the last loop thread as it ends) when every loop has
     * stopped and been closed.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the termination future (completing it from outside has no effect on the group)
     */
    public CompletableFuture<Void> terminationFuture() {
        return terminated.copy();
    }

    /**
     * Whether a shutdown was requested.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true once {@code shutdownGracefully}, {@code shutdownNow} or {@code close} was called
     */
    public boolean isShuttingDown() {
        return state != ACTIVE;
    }

    /**
     * Whether every loop thread has ended.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true after termination
     */
    public boolean isTerminated() {
        return terminated.isDone();
    }

    private void begin(int newState, long quietNanos, long timeoutNanos) {
        boolean first;
        synchronized (stateLock) {
            int old = state;
            if (old >= newState) {
                return; // already at least this far
            }
            first = old == ACTIVE;
            state = newState;
        }
        for (GroupService s : services) {
            try {
                s.stopAccepting();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "group " + name + ": stopping " + s
                        + " failed", e);
            }
        }
        long start = System.nanoTime();
        for (Member m : members) {
            try {
                if (first) {
                    LoopDrain d = new LoopDrain(m, quietNanos, start, timeoutNanos);
                    m.loop.callSoonThreadsafe(() -> {
                        m.drain = d;
                        d.start();
                    });
                } else {
                    m.loop.callSoonThreadsafe(() -> {
                        if (m.drain != null) {
                            m.drain.escalate();
                        }
                    });
                }
            } catch (IllegalStateException loopAlreadyClosed) {
                // its thread died (a fatal error) and closed it: nothing to drain
            }
        }
    }

    /** Whether the loop at {@code index} died (see {@link #memberDied}). */
    boolean isDead(int index) {
        return members[index].died;
    }

    /** Whether {@link #shutdownNow()} was called (drains cancel at once). */
    boolean isForced() {
        return state == FORCED;
    }

    /** The services (servers) to stop and drain. */
    List<GroupService> services() {
        return services;
    }

    /**
     * Registers a service unless a shutdown started.
     *
     * @return false if the group is shutting down (the caller must undo what it started)
     */
    boolean addService(GroupService s) {
        synchronized (stateLock) {
            if (state != ACTIVE) {
                return false;
            }
            services.add(s);
            return true;
        }
    }

    void removeService(GroupService s) {
        services.remove(s);
    }

    /**
     * Completes {@code f} with null when the group terminates, unless it is done before: for
     * futures of work handed to a loop that may close before running it.
     */
    void completeAtTermination(CompletableFuture<?> f) {
        pendingAtTermination.add(f);
        f.whenComplete((v, e) -> pendingAtTermination.remove(f));
        if (terminated.isDone()) {
            f.complete(null);
        }
    }

    /**
     * On the thread of member {@code m}, which ended with {@code cause} instead of a shutdown:
     * closes its listeners, records and reports it. Never throws.
     */
    void memberDied(Member m, Throwable cause) {
        m.died = true; // next() skips it from now on
        for (GroupService s : services) {
            try {
                s.loopDied(m.loop);
            } catch (Throwable e) {
                report(m, "closing the listeners of " + s + " failed", e);
            }
        }
        int others = 0;
        for (Member o : members) {
            others += o != m && !o.died && o.thread.isAlive() ? 1 : 0;
        }
        try {
            LoopDeathEvent event = new LoopDeathEvent();
            if (event.shouldCommit()) {
                event.group = name;
                event.loop = m.loop.name();
                event.cause = String.valueOf(cause);
                event.loopsLeft = others;
                event.commit();
            }
        } catch (Throwable e) {
            // JFR must not stop the rest; the report below says what happened
        }
        report(m, "loop " + m.loop.name() + " of group " + name + " ended unexpectedly; its "
                + "listening sockets are closed and its connections will be aborted; " + others
                + " other loop(s) keep serving", cause);
        dead.add(m.index); // last: once listed, it has been handled and reported
    }

    private void report(Member m, String message, Throwable cause) {
        try {
            m.loop.callExceptionHandler(new ExceptionContext(message, cause, this));
        } catch (Throwable e) {
            // callExceptionHandler does not throw; building the context could (out of memory)
        }
    }

    void memberEnded(Member m) {
        if (alive.decrementAndGet() == 0) {
            for (CompletableFuture<?> f : pendingAtTermination) {
                f.complete(null);
            }
            terminated.complete(null);
        }
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
        return "LoopGroup[" + name + ", " + members.length + " loops"
                + (isTerminated() ? ", terminated" : state != ACTIVE ? ", shutting down" : "")
                + "]";
    }

    /** A Runnable as a Supplier of null, for {@link #submit(EventLoop, Runnable)}. */
    private record RunnableWork(Runnable work) implements Supplier<Void> {
        @Override
        public Void get() {
            work.run();
            return null;
        }

        @Override
        public String toString() {
            return work.toString();
        }
    }

    /**
     * Settings for a new {@link LoopGroup}.
     *
     * <p><b>Threading:</b> not thread-safe; build on one thread.
     */
    public static final class Builder {
        private int loops = Runtime.getRuntime().availableProcessors();
        private String name;
        private String pollerName;
        private Supplier<? extends Poller> pollerFactory;
        private boolean debug = Boolean.getBoolean("pollen.debug");
        private Duration slowCallbackThreshold;
        private ExceptionHandler exceptionHandler;
        private boolean daemon;

        private Builder() {
        }

        /**
         * How many loops (default: {@link Runtime#availableProcessors()}).
         *
         * @param loops at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code loops < 1}
         */
        public Builder loops(int loops) {
            if (loops < 1) {
                throw new IllegalArgumentException("a loop group needs at least 1 loop, got "
                        + loops);
            }
            this.loops = loops;
            return this;
        }

        /**
         * The group's name, prefix of its loops' names (default {@code pollen-group<n>}).
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Selects every loop's poller by provider name ({@code auto} for the best available),
         * overriding {@code -Dpollen.poller}.
         *
         * @param name the provider name
         * @return this builder
         */
        public Builder poller(String name) {
            this.pollerName = Objects.requireNonNull(name, "poller name");
            this.pollerFactory = null;
            return this;
        }

        /**
         * Makes every loop's poller with {@code factory} (called once per loop; each loop owns and
         * closes its poller). For tests and custom backends.
         *
         * @param factory makes a new, unused poller per call
         * @return this builder
         */
        public Builder poller(Supplier<? extends Poller> factory) {
            this.pollerFactory = Objects.requireNonNull(factory, "poller factory");
            this.pollerName = null;
            return this;
        }

        /**
         * Debug mode for every loop (default {@code -Dpollen.debug}).
         *
         * @param debug whether to enable it
         * @return this builder
         */
        public Builder debug(boolean debug) {
            this.debug = debug;
            return this;
        }

        /**
         * The slow-callback threshold of debug mode for every loop (default 100 ms).
         *
         * @param threshold a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder slowCallbackThreshold(Duration threshold) {
            if (threshold == null || threshold.isNegative() || threshold.isZero()) {
                throw new IllegalArgumentException("slow callback threshold must be a positive "
                        + "duration, got " + threshold);
            }
            this.slowCallbackThreshold = threshold;
            return this;
        }

        /**
         * The exception handler of every loop (default: log).
         *
         * @param handler the handler, called on the loop thread concerned; or null
         * @return this builder
         */
        public Builder exceptionHandler(ExceptionHandler handler) {
            this.exceptionHandler = handler;
            return this;
        }

        /**
         * Whether the loop threads are daemon threads (default false: a running group keeps the
         * JVM alive until it is shut down).
         *
         * @param daemon whether to make them daemons
         * @return this builder
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * Creates the pollers and loops and starts the loop threads.
         *
         * @return the running group
         * @throws IllegalArgumentException if the selected poller is unknown or unavailable
         */
        public LoopGroup build() {
            return new LoopGroup(this);
        }
    }
}
