package dev.pollen.group;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.Future;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Protocol;
import dev.pollen.net.Server;
import dev.pollen.spi.StreamSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A TCP server spread over the loops of a {@link LoopGroup}, made by
 * {@link LoopGroup#createServer}. Every connection lives on the loop that accepted it for its
 * whole life.
 *
 * <h2>How connections are spread</h2>
 * <ul>
 *   <li>{@link Spread#REUSE_PORT} (chosen where the poller's socket layer reports
 *       {@link dev.pollen.spi.SocketLayer#supportsReusePortBalancing()}, i.e. Linux): every loop
 *       has its own listening socket on the same port with {@code SO_REUSEPORT}, and the kernel
 *       hashes each new connection to one of them. No hand-off, no shared accept queue. Known
 *       trade-off: the kernel balances by hash, not by load, and a listener closed while
 *       connections wait in its queue resets them (only at shutdown here).</li>
 *   <li>{@link Spread#SINGLE_ACCEPTOR} (elsewhere, e.g. macOS and the BSDs, whose
 *       {@code SO_REUSEPORT} does not balance): one listening socket on the first loop, which
 *       hands the sockets it accepts to the loops in turn (round robin, itself included): the
 *       socket goes to the next loop with {@code callSoonThreadsafe}, that loop's poller adopts
 *       it ({@link dev.pollen.spi.SocketLayer#adopt}) and a listener-less server of that loop
 *       ({@link Net#createHandoffServer}) serves and tracks it. Cost: one cross-thread hand-off
 *       per connection, and the acceptor loop's thread does every accept.</li>
 * </ul>
 *
 * <p>A socket handed off while the server closes is closed, never leaked: by its target loop
 * if that loop's server is closed when it arrives, or by the target loop's close if the hand-off
 * never ran (as a {@code REUSE_PORT} listener closed with connections in its queue resets
 * them).
 *
 * <p><b>A loop that dies</b> (see {@link LoopGroup}) has its listeners closed at once, on its own
 * thread, so the kernel spreads {@code REUSE_PORT} connections over the loops that remain; a
 * single acceptor skips it when handing sockets out. If the single acceptor's own loop dies, the
 * next living loop binds the same addresses and becomes the acceptor (connections that arrive in
 * between are refused, those waiting in the dead listener's queue are reset, and one accepted
 * while the new acceptor sets up is served on its loop rather than handed out).
 *
 * <p><b>Shutdown.</b> The group's shutdown stops every listener at once; the connections keep
 * their loops busy (so a graceful shutdown waits for them) until the timeout, when they are closed
 * and then aborted.
 *
 * <p><b>Threading:</b> every method is thread-safe; the futures complete on loop threads.
 */
public final class GroupServer {

    /** How a group server spreads connections over the loops. */
    public enum Spread {
        /** {@link #REUSE_PORT} where the poller supports it, else {@link #SINGLE_ACCEPTOR}. */
        AUTO,
        /** One {@code SO_REUSEPORT} listener per loop; the kernel spreads connections. */
        REUSE_PORT,
        /** One listener on the first loop, which hands connections to the loops in turn. */
        SINGLE_ACCEPTOR
    }

    private final LoopGroup group;
    private final Supplier<? extends Protocol> factory;
    private final String host;
    private final int port;
    private final NetOptions options;
    private final Spread requested;
    /** The servers of each loop; list {@code i} is touched only on loop {@code i}'s thread. */
    private final List<List<Server>> servers;
    private final CompletableFuture<GroupServer> started = new CompletableFuture<>();
    private final AtomicReference<Throwable> startFailure = new AtomicReference<>();
    private final GroupService service = new Service();
    private volatile boolean stopped;
    private volatile Spread spread;
    private volatile List<SocketAddress> addresses = List.of();
    private NetOptions effectiveOptions;
    /** SINGLE_ACCEPTOR: the loop the next accepted socket goes to; touched by the acceptor. */
    private int nextLoop;
    /** SINGLE_ACCEPTOR: the loop that listens and hands out (0, unless 0 died: see loopDied). */
    private volatile int acceptor;
    /** SINGLE_ACCEPTOR: sockets on their way to another loop (see {@link Handoff}). */
    private final Set<Handoff> inFlight = ConcurrentHashMap.newKeySet();

    private GroupServer(LoopGroup group, Supplier<? extends Protocol> factory, String host,
            int port, NetOptions options, Spread requested) {
        this.group = group;
        this.factory = factory;
        this.host = host;
        this.port = port;
        this.options = options;
        this.requested = requested;
        List<List<Server>> l = new ArrayList<>(group.size());
        for (int i = 0; i < group.size(); i++) {
            l.add(new ArrayList<>(1));
        }
        this.servers = List.copyOf(l);
    }

    /**
     * Starts a server on {@code group}; see {@link LoopGroup#createServer}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param group           the group
     * @param protocolFactory makes one protocol per connection; called on every loop's thread
     *                        concurrently, so it must be thread-safe
     * @param host            where to listen, or null for every interface
     * @param port            0 to 65535; 0 picks a free port, the same on every loop
     * @param options         backlog, socket options, water marks
     * @param spread          how to spread connections
     * @return a future completed once every loop listens (or failed, with nothing left open)
     * @throws IllegalArgumentException if the port is out of range
     */
    public static CompletableFuture<GroupServer> start(LoopGroup group,
            Supplier<? extends Protocol> protocolFactory, String host, int port,
            NetOptions options, Spread spread) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(spread, "spread");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535 (0 picks a free "
                    + "port), got " + port);
        }
        GroupServer s = new GroupServer(group, protocolFactory, host, port, options, spread);
        if (!group.addService(s.service)) {
            return CompletableFuture.failedFuture(new RejectedExecutionException("loop group "
                    + group.name() + " is shutting down: no new servers"));
        }
        try {
            group.loop(0).callSoonThreadsafe(s::startFirst);
        } catch (IllegalStateException closed) {
            group.removeService(s.service);
            return CompletableFuture.failedFuture(new RejectedExecutionException("loop group "
                    + group.name() + " is shut down", closed));
        }
        return s.started;
    }

    // ------------------------------------------------------------------ starting

    /** On loop 0: choose the spread and bind the first listener (which fixes the port). */
    private void startFirst() {
        EventLoop first = group.loop(0);
        if (stopped) {
            fail(new RejectedExecutionException("the group server was closed while starting"));
            return;
        }
        try {
            boolean balances = first.poller().sockets().supportsReusePortBalancing();
            Spread s = requested;
            if (s == Spread.AUTO) {
                s = balances && group.size() > 1 ? Spread.REUSE_PORT : Spread.SINGLE_ACCEPTOR;
            } else if (s == Spread.REUSE_PORT && !balances) {
                throw new IllegalStateException("Spread.REUSE_PORT needs a poller whose sockets "
                        + "balance SO_REUSEPORT listeners; " + first.poller().name()
                        + " on this OS does not (use AUTO or SINGLE_ACCEPTOR)");
            }
            spread = s;
            effectiveOptions = s == Spread.REUSE_PORT
                    ? options.toBuilder().reusePort(true).build() : options;
            Future<Server> f = Net.createServer(first, factory, host, port, effectiveOptions);
            f.addDoneCallback(done -> {
                if (done.isCancelled() || done.exception() != null) {
                    fail(done.isCancelled() ? new IllegalStateException("cancelled") : done.exception());
                    return;
                }
                Server server = done.result();
                keep(0, server);
                addresses = List.copyOf(server.sockets());
                if (group.size() == 1) {
                    finishStart();
                } else if (spread == Spread.SINGLE_ACCEPTOR) {
                    server.setAcceptedSocketHandler(this::handOff);
                    startReceivers();
                } else {
                    startOthers();
                }
            });
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    /** From loop 0: one listener per address of the first loop's server on every other loop. */
    private void startOthers() {
        List<SocketAddress> addrs = addresses;
        AtomicInteger pending = new AtomicInteger((group.size() - 1) * addrs.size());
        for (int i = 1; i < group.size(); i++) {
            int index = i;
            EventLoop loop = group.loop(i);
            try {
                loop.callSoonThreadsafe(() -> {
                    for (SocketAddress a : addrs) {
                        bindOn(index, loop, (InetSocketAddress) a, pending);
                    }
                });
            } catch (IllegalStateException closed) {
                fail(new RejectedExecutionException("loop " + loop.name() + " is closed"));
                return;
            }
        }
    }

    /** From loop 0 (SINGLE_ACCEPTOR): a listener-less server on every other loop. */
    private void startReceivers() {
        AtomicInteger pending = new AtomicInteger(group.size() - 1);
        // a hand-off still queued when the group ends (its loop closed first) is closed here
        CompletableFuture<Void> end = new CompletableFuture<>();
        end.whenComplete((v, e) -> closeInFlight(-1));
        group.completeAtTermination(end);
        for (int i = 1; i < group.size(); i++) {
            int index = i;
            EventLoop loop = group.loop(i);
            try {
                loop.callSoonThreadsafe(() -> {
                    if (!stopped && startFailure.get() == null) {
                        // the loop's close closes what was handed to it but never ran
                        loop.addCloseHook(() -> closeInFlight(index));
                        keep(index, Net.createHandoffServer(loop, factory, effectiveOptions));
                    }
                    arrive(pending);
                });
            } catch (IllegalStateException closed) {
                fail(new RejectedExecutionException("loop " + loop.name() + " is closed"));
                return;
            }
        }
    }

    // ------------------------------------------------------------------ hand-off

    /** A socket accepted by the acceptor on its way to loop {@code target}. */
    private final class Handoff implements Runnable {
        final int target;
        final StreamSocket socket;

        Handoff(int target, StreamSocket socket) {
            this.target = target;
            this.socket = socket;
        }

        /** On the target loop: whoever removes the hand-off from the set owns the socket. */
        @Override
        public void run() {
            if (inFlight.remove(this)) {
                receive(target, socket);
            }
        }

        @Override
        public String toString() {
            return "hand-off of " + socket + " to loop " + target + " of " + GroupServer.this;
        }
    }

    /** On the acceptor's loop: the accepted-socket handler of the single acceptor. */
    private void handOff(StreamSocket s) {
        int self = acceptor;
        int target = nextLoop;
        for (int k = 0; k < group.size() && target != self && group.isDead(target); k++) {
            target = target + 1 == group.size() ? 0 : target + 1; // never to a loop that died
        }
        nextLoop = target + 1 == group.size() ? 0 : target + 1;
        if (target == self) {
            receive(self, s);
            return;
        }
        if (stopped) {
            s.close();
            return;
        }
        Handoff h = new Handoff(target, s);
        inFlight.add(h);
        try {
            group.loop(target).callSoonThreadsafe(h);
        } catch (IllegalStateException loopClosed) {
            if (inFlight.remove(h)) {
                s.close(); // still the acceptor's socket
            }
        }
    }

    /** On loop {@code index}: serve a handed-off socket, or close it if the server is closed. */
    private void receive(int index, StreamSocket s) {
        EventLoop loop = group.loop(index);
        List<Server> mine = servers.get(index);
        Server server = mine.isEmpty() ? null : mine.get(0);
        try {
            if (server != null && server.isServing() && !stopped) {
                server.connectAcceptedSocket(s);
            } else {
                loop.poller().sockets().adopt(s).close();
            }
        } catch (IllegalArgumentException cannotAdopt) {
            // the loops' pollers differ (a custom poller factory): give it back to be closed
            EventLoop from = group.loop(acceptor);
            loop.callExceptionHandler(new ExceptionContext("loop " + loop.name() + " cannot "
                    + "adopt a socket accepted by loop " + from.name() + "; the "
                    + "connection was closed", cannotAdopt, this));
            try {
                from.callSoonThreadsafe(s::close);
            } catch (IllegalStateException closed) {
                s.close(); // the acceptor is gone: nobody else can close it
            }
        } catch (IllegalStateException closedMeanwhile) {
            // connectAcceptedSocket found the server closed and closed the socket
        }
    }

    /**
     * Closes the sockets still on their way to loop {@code index} (all loops for -1): on that
     * loop's thread as it closes, or, for -1, once every loop has ended (a hand-off queued in the
     * instant between a loop's close hooks and its close). Each is adopted first where its target
     * loop can still do so, so a loop only closes its own sockets.
     */
    private void closeInFlight(int index) {
        for (Handoff h : inFlight) {
            if ((index < 0 || h.target == index) && inFlight.remove(h)) {
                StreamSocket s = h.socket;
                if (index >= 0) {
                    try {
                        s = group.loop(index).poller().sockets().adopt(s);
                    } catch (RuntimeException cannot) {
                        // close it as it is
                    }
                }
                s.close();
            }
        }
    }

    private void bindOn(int index, EventLoop loop, InetSocketAddress a, AtomicInteger pending) {
        if (stopped || startFailure.get() != null) {
            arrive(pending);
            return;
        }
        Future<Server> f;
        try {
            f = Net.createServer(loop, factory, a.getAddress().getHostAddress(), a.getPort(),
                    effectiveOptions);
        } catch (RuntimeException e) {
            fail(e);
            arrive(pending);
            return;
        }
        f.addDoneCallback(done -> {
            if (done.isCancelled() || done.exception() != null) {
                fail(done.isCancelled() ? new IllegalStateException("cancelled") : done.exception());
            } else {
                keep(index, done.result());
            }
            arrive(pending);
        });
    }

    private void arrive(AtomicInteger pending) {
        if (pending.decrementAndGet() == 0) {
            finishStart();
        }
    }

    /** On loop {@code index}: record a bound server (closing it at once if stopping meanwhile). */
    private void keep(int index, Server server) {
        servers.get(index).add(server);
        if (stopped || startFailure.get() != null) {
            server.close();
        }
    }

    private void finishStart() {
        Throwable failure = startFailure.get();
        if (failure != null) {
            return; // fail() already completed the future and closes what was bound
        }
        if (stopped) {
            started.completeExceptionally(new RejectedExecutionException("the group server was "
                    + "closed while starting"));
            return;
        }
        started.complete(this);
    }

    private void fail(Throwable e) {
        if (startFailure.compareAndSet(null, e)) {
            started.completeExceptionally(e);
            onEveryLoop(this::abortAll);
            group.removeService(service);
        }
    }

    // ------------------------------------------------------------------ public API

    /**
     * The group this server runs on.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the group
     */
    public LoopGroup group() {
        return group;
    }

    /**
     * How connections are spread (never {@link Spread#AUTO} once started).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the spread chosen
     */
    public Spread spread() {
        return spread;
    }

    /**
     * The addresses every loop listens on (with the real port when 0 was asked for).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the bound addresses
     */
    public List<SocketAddress> addresses() {
        return addresses;
    }

    /**
     * The bound port (of the first address).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the port
     * @throws IllegalStateException if the server has not started
     */
    public int port() {
        List<SocketAddress> a = addresses;
        if (a.isEmpty()) {
            throw new IllegalStateException("the group server has not started listening");
        }
        return ((InetSocketAddress) a.get(0)).getPort();
    }

    /**
     * Whether the server still accepts connections.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return false once closed (by {@link #close()} or the group's shutdown)
     */
    public boolean isServing() {
        return !stopped && started.isDone() && !started.isCompletedExceptionally();
    }

    /**
     * Stops accepting on every loop and closes the listening sockets; open connections stay.
     * Idempotent.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return a future completed once every loop has closed its listeners
     */
    public CompletableFuture<Void> close() {
        stopped = true;
        return onEveryLoop(i -> {
            for (Server s : servers.get(i)) {
                s.close();
            }
            return null;
        }).thenApply(x -> null);
    }

    /**
     * Closes every connection gracefully ({@code Transport.close}: queued data is sent first).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return a future completed once every loop has started closing its connections
     */
    public CompletableFuture<Void> closeClients() {
        return onEveryLoop(i -> {
            for (Server s : servers.get(i)) {
                s.closeClients();
            }
            return null;
        }).thenApply(x -> null);
    }

    /**
     * Aborts every connection ({@code Transport.abort}: queued data is dropped).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return a future completed once every loop has aborted its connections
     */
    public CompletableFuture<Void> abortClients() {
        return onEveryLoop(this::abortAll).thenApply(x -> null);
    }

    /**
     * How many connections each loop holds, in loop order (0 for a loop that has ended).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return a future of one count per loop
     */
    public CompletableFuture<List<Integer>> connectionCounts() {
        return onEveryLoop(i -> {
            int n = 0;
            for (Server s : servers.get(i)) {
                n += s.connectionCount();
            }
            return n;
        }).thenApply(counts -> counts.stream().map(n -> n == null ? 0 : n).toList());
    }

    /** What the group's shutdown sees of this server (kept off the public API). */
    private final class Service implements GroupService {
        @Override
        public void stopAccepting() {
            close();
        }

        @Override
        public int openConnections(EventLoop loop) {
            int n = 0;
            for (Server s : servers.get(group.indexOf(loop))) {
                n += s.connectionCount();
            }
            return n;
        }

        @Override
        public void closeConnections(EventLoop loop) {
            for (Server s : servers.get(group.indexOf(loop))) {
                s.closeClients();
            }
        }

        @Override
        public void abortConnections(EventLoop loop) {
            abortAll(group.indexOf(loop));
        }

        @Override
        public void loopDied(EventLoop loop) {
            // On the dead loop's thread, which no longer runs it: its servers are ours to close.
            // Its listeners go at once (the kernel stops routing SO_REUSEPORT connections to
            // them); its connections are aborted when the group closes the loop.
            int index = group.indexOf(loop);
            for (Server s : servers.get(index)) {
                s.close();
            }
            if (spread == Spread.SINGLE_ACCEPTOR && index == acceptor && !stopped) {
                moveAcceptor(index);
            }
        }

        @Override
        public String toString() {
            return GroupServer.this.toString();
        }
    }

    /** The single acceptor's loop died: the next living loop listens in its place. */
    private void moveAcceptor(int dead) {
        for (int k = 1; k < group.size(); k++) {
            int next = (dead + k) % group.size();
            if (group.isDead(next)) {
                continue;
            }
            try {
                group.loop(next).callSoonThreadsafe(() -> listenAsAcceptor(next));
                return;
            } catch (IllegalStateException closed) {
                // ended meanwhile: try the one after
            }
        }
    }

    /** On loop {@code index}: listen on the server's addresses and hand out what it accepts. */
    private void listenAsAcceptor(int index) {
        if (stopped) {
            return;
        }
        acceptor = index;
        EventLoop loop = group.loop(index);
        for (SocketAddress a : addresses) {
            InetSocketAddress ia = (InetSocketAddress) a;
            Future<Server> f;
            try {
                f = Net.createServer(loop, factory, ia.getAddress().getHostAddress(), ia.getPort(),
                        effectiveOptions);
            } catch (RuntimeException e) {
                acceptorFailed(loop, a, e);
                continue;
            }
            f.addDoneCallback(done -> {
                if (done.isCancelled() || done.exception() != null) {
                    acceptorFailed(loop, a, done.isCancelled()
                            ? new IllegalStateException("cancelled") : done.exception());
                    return;
                }
                Server server = done.result();
                server.setAcceptedSocketHandler(this::handOff);
                keep(index, server); // closed at once if the server was closed meanwhile
            });
        }
    }

    private void acceptorFailed(EventLoop loop, SocketAddress a, Throwable e) {
        loop.callExceptionHandler(new ExceptionContext(this + ": loop " + loop.name()
                + " could not take over listening on " + a + " from the loop that died; that "
                + "address no longer accepts", e, this));
    }

    private Void abortAll(int i) {
        for (Server s : servers.get(i)) {
            s.close();
            s.abortClients();
        }
        return null;
    }

    /**
     * Runs {@code action(i)} on every loop {@code i}; a loop that has already closed contributes
     * null (its servers were closed with it).
     */
    private <T> CompletableFuture<List<T>> onEveryLoop(Function<Integer, T> action) {
        int n = group.size();
        @SuppressWarnings("unchecked")
        CompletableFuture<T>[] parts = new CompletableFuture[n];
        for (int i = 0; i < n; i++) {
            int index = i;
            CompletableFuture<T> part = new CompletableFuture<>();
            parts[i] = part;
            // a loop that closes before running the action drops it: the group's end answers
            group.completeAtTermination(part);
            try {
                group.loop(i).callSoonThreadsafe(() -> {
                    try {
                        part.complete(action.apply(index));
                    } catch (Throwable e) {
                        part.completeExceptionally(e);
                    }
                });
            } catch (IllegalStateException closed) {
                part.complete(null);
            }
        }
        return CompletableFuture.allOf(parts).thenApply(x -> {
            List<T> out = new ArrayList<>(n);
            for (CompletableFuture<T> p : parts) {
                out.add(p.join());
            }
            return out;
        });
    }

    @Override
    public String toString() {
        return "GroupServer" + addresses + "[" + group.name() + ", " + spread
                + (stopped ? ", closed" : "") + "]";
    }
}
