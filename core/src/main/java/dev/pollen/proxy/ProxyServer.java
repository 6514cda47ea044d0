package dev.pollen.proxy;

import dev.pollen.group.GroupServer;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.net.Server;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A running {@link TcpProxy}: its listening addresses, counters, and the way to stop it.
 *
 * <p><b>Stopping.</b> {@link #close()} stops accepting and leaves open connections alone;
 * {@link #drain(Duration)} stops accepting, waits for the open connections to end on their own up
 * to a grace period and aborts what is left (HAProxy's soft stop with
 * {@code hard-stop-after}); {@link #abort()} is {@code drain(Duration.ZERO)}. None of them stops
 * the loops: shut down the loop or group afterwards.
 *
 * <p><b>Threading:</b> every method is thread-safe; the futures complete on a loop thread (or, at
 * a drain's deadline, on the JDK's delayed-executor thread), so a loop started with
 * {@link TcpProxy#start(EventLoop)} must be running for them to complete.
 */
public final class ProxyServer {

    private static final System.Logger LOG = System.getLogger("dev.pollen.proxy");
    /** At most one upstream-failure line per this many nanoseconds; the rest are counted. */
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final TcpProxy config;
    // Set once the listener is bound (connections may arrive just before: they only count).
    private volatile EventLoop loop;
    private volatile Server server;
    private volatile GroupServer groupServer;
    private volatile List<SocketAddress> addresses = List.of();
    private final Set<ProxyConnection> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder bytesToUpstream = new LongAdder();
    private final LongAdder bytesToClient = new LongAdder();
    private final LongAdder upstreamFailures = new LongAdder();
    private final LongAdder noUpstream = new LongAdder();
    private final LongAdder clientsLeft = new LongAdder();
    private final LongAdder idleTimeouts = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder aborted = new LongAdder();
    private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private final AtomicLong unlogged = new AtomicLong();
    private final Object drainLock = new Object();
    private CompletableFuture<Integer> drained;
    private int abortedAtDeadline;
    private volatile boolean closed;

    ProxyServer(TcpProxy config) {
        this.config = config;
    }

    void attach(Server s) {
        loop = s.loop();
        addresses = List.copyOf(s.sockets());
        server = s;
    }

    void attach(GroupServer s) {
        addresses = List.copyOf(s.addresses());
        groupServer = s;
    }

    TcpProxy config() {
        return config;
    }

    // ------------------------------------------------------------------ public API

    /**
     * The configuration this proxy runs.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the configuration
     */
    public TcpProxy proxy() {
        return config;
    }

    /**
     * The addresses the proxy listens on (with the real port when 0 was asked for).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the bound addresses
     */
    public List<SocketAddress> addresses() {
        return addresses;
    }

    /**
     * The port of the first listening address.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the port
     */
    public int port() {
        return ((InetSocketAddress) addresses.get(0)).getPort();
    }

    /**
     * The group server underneath, when started on a {@link dev.pollen.group.LoopGroup}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the group server, or null when started on one loop
     */
    public GroupServer groupServer() {
        return groupServer;
    }

    /**
     * How many clients are open now (accepted and not yet closed).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the count
     */
    public int openConnections() {
        return open.get();
    }

    /**
     * The counters so far.
     *
     * <p><b>Threading:</b> any thread; the fields are read one after the other, not atomically
     * together.
     *
     * @return a snapshot
     */
    public ProxyStats stats() {
        return new ProxyStats(accepted.sum(), open.get(), bytesToUpstream.sum(),
                bytesToClient.sum(), upstreamFailures.sum(), noUpstream.sum(), clientsLeft.sum(),
                idleTimeouts.sum(), errors.sum(), aborted.sum());
    }

    /**
     * Whether the proxy still accepts clients.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return false once {@link #close()}, {@link #drain} or {@link #abort()} was called
     */
    public boolean isServing() {
        return !closed;
    }

    /**
     * Stops accepting and closes the listening sockets; open connections carry on. Idempotent.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return a future completed once no listener accepts any more
     */
    public CompletableFuture<Void> close() {
        closed = true;
        if (groupServer != null) {
            return groupServer.close();
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(() -> {
            server.close();
            done.complete(null);
        });
        return done;
    }

    /**
     * Stops accepting, lets open connections finish on their own for up to {@code grace}, then
     * aborts those still open ({@link CloseReason#ABORTED}). Calling it again returns the first
     * call's future.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param grace how long open connections may take; zero aborts them at once
     * @return a future of how many connections had to be aborted, completed once every connection
     *         has closed
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public CompletableFuture<Integer> drain(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("drain grace must not be negative, got " + grace
                    + "; use Duration.ZERO to abort open connections at once");
        }
        CompletableFuture<Integer> result;
        synchronized (drainLock) {
            if (drained != null) {
                return drained;
            }
            drained = result = new CompletableFuture<>();
        }
        close().whenComplete((x, e) -> {
            checkDrained();
            if (!result.isDone()) {
                CompletableFuture.delayedExecutor(grace.toNanos(), TimeUnit.NANOSECONDS)
                        .execute(this::abortAtDeadline);
            }
        });
        return result;
    }

    /**
     * Stops accepting and aborts every open connection at once: {@code drain(Duration.ZERO)}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return a future of how many connections were aborted, completed once all have closed
     */
    public CompletableFuture<Integer> abort() {
        return drain(Duration.ZERO);
    }

    private void abortAtDeadline() {
        synchronized (drainLock) {
            if (drained.isDone()) {
                return;
            }
            abortedAtDeadline = open.get();
        }
        for (ProxyConnection c : live) {
            c.loop().callSoonThreadsafe(c::abort);
        }
        // Connections still in their TLS handshake are the server's, not yet ours.
        if (groupServer != null) {
            groupServer.abortClients();
        } else {
            onLoop(server::abortClients);
        }
        checkDrained();
    }

    private void checkDrained() {
        synchronized (drainLock) {
            if (drained != null && !drained.isDone() && open.get() == 0) {
                drained.complete(abortedAtDeadline);
            }
        }
    }

    /**
     * Always through the loop's queue, even from its own thread: {@code inLoopThread()} is also
     * true on any thread while the loop is not running, and the server is not thread-safe. The
     * queue keeps the order (abort the connections, then the server's clients).
     */
    private void onLoop(Runnable r) {
        loop.callSoonThreadsafe(r);
    }

    // ------------------------------------------------------------------ from the connections

    long newId() {
        return ids.incrementAndGet();
    }

    int nextRoundRobin() {
        return roundRobin.getAndIncrement();
    }

    void accepted(ProxyConnection c) {
        accepted.increment();
        open.incrementAndGet();
        live.add(c);
        ProxyListener l = config.listener();
        try {
            l.accepted(c);
        } catch (RuntimeException e) {
            listenerFailed(c, "accepted", e);
        }
    }

    void upstreamChosen(ProxyConnection c, Upstream u, int attempt) {
        try {
            config.listener().upstreamChosen(c, u, attempt);
        } catch (RuntimeException e) {
            listenerFailed(c, "upstreamChosen", e);
        }
    }

    void upstreamConnected(ProxyConnection c, Upstream u) {
        try {
            config.listener().upstreamConnected(c, u);
        } catch (RuntimeException e) {
            listenerFailed(c, "upstreamConnected", e);
        }
    }

    void upstreamFailed(ProxyConnection c, Upstream u, Throwable cause, int attempt, int maxAttempts) {
        upstreamFailures.increment();
        logFailure(c, u, cause, attempt, maxAttempts);
        try {
            config.listener().upstreamFailed(c, u, cause);
        } catch (RuntimeException e) {
            listenerFailed(c, "upstreamFailed", e);
        }
    }

    void closed(ProxyConnection c) {
        bytesToUpstream.add(c.bytesToUpstream());
        bytesToClient.add(c.bytesToClient());
        switch (c.reason()) {
            case NO_UPSTREAM -> noUpstream.increment();
            case CLIENT_LEFT -> clientsLeft.increment();
            case IDLE_TIMEOUT -> idleTimeouts.increment();
            case ERROR -> errors.increment();
            case ABORTED -> aborted.increment();
            case DONE -> { }
        }
        live.remove(c);
        try {
            config.listener().closed(c);
        } catch (RuntimeException e) {
            listenerFailed(c, "closed", e);
        }
        if (open.decrementAndGet() == 0) {
            checkDrained();
        }
    }

    private void listenerFailed(ProxyConnection c, String method, RuntimeException e) {
        c.loop().callExceptionHandler(new ExceptionContext("proxy listener " + method
                + " failed for " + c, e, config.listener()));
    }

    /**
     * One line per failed attempt, no stack trace (refusals and timeouts are routine), at most
     * one line a second; the lines skipped meanwhile are counted in the next one.
     */
    private void logFailure(ProxyConnection c, Upstream u, Throwable cause, int attempt,
            int maxAttempts) {
        if (!LOG.isLoggable(System.Logger.Level.WARNING)) {
            return;
        }
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        if (now - last < LOG_INTERVAL_NANOS || !lastLogNanos.compareAndSet(last, now)) {
            unlogged.incrementAndGet();
            return;
        }
        long skipped = unlogged.getAndSet(0);
        String what = attempt < maxAttempts ? "trying the next upstream"
                : "no attempt left: closing the client";
        LOG.log(System.Logger.Level.WARNING, "proxy " + listenLabel() + ": " + failure(u, cause)
                + " (client " + c.id() + ", attempt " + attempt + " of " + maxAttempts + "; " + what
                + ")"
                + (skipped > 0 ? "; " + skipped + " more failure(s) not logged in the last second"
                        : ""));
    }

    private String listenLabel() {
        SocketAddress a = addresses.isEmpty() ? null : addresses.get(0);
        return a instanceof InetSocketAddress i ? i.getHostString() + ":" + i.getPort()
                : String.valueOf(a);
    }

    /**
     * What failed, without repeating the upstream: the library's own message where it names it
     * already ({@code "connect to 10.0.0.1:8080: ..."}), otherwise {@code "upstream
     * 10.0.0.1:8080: "} in front of it (a TLS handshake error, for one).
     */
    static String failure(Upstream u, Throwable cause) {
        String m = describe(cause);
        return m.contains(u.toString()) ? m : "upstream " + u + ": " + m;
    }

    /** The exception's own message, or its type. */
    static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    @Override
    public String toString() {
        return "ProxyServer[" + addresses + " -> " + config.upstreams() + ", open=" + open.get()
                + "]";
    }
}
