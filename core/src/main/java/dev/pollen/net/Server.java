package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.Future;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A listening server (asyncio's {@code Server}), made by {@link Net#createServer},
 * {@link Net#createUnixServer}, {@link Net#startServer} or {@link Net#startUnixServer}. It
 * accepts on one socket per bound address and gives every connection a new protocol from its
 * factory. It is serving as soon as it is returned.
 *
 * <p>{@link #close()} stops accepting and leaves the connections alone;
 * {@link #closeClients()} / {@link #abortClients()} end them; {@link #waitClosed()} completes
 * when the server is closed <em>and</em> its last connection is gone (asyncio 3.12.1+, 3.13).
 * A typical shutdown: {@code server.close(); server.closeClients(); server.waitClosed().await();}
 *
 * <p><b>Threading:</b> loop thread only, except {@link #loop()} and {@link #port()}.
 */
public final class Server {

    private final EventLoop loop;
    private final NetLoopState net;
    private final Supplier<? extends Protocol> factory;
    private final NetOptions options;
    private final boolean tcp;
    private final Path unixPath;
    private final List<Listener> listeners = new ArrayList<>(2);
    private final Set<StreamTransport> clients = new LinkedHashSet<>();
    private List<Future<Void>> waiters;
    /** What {@link #serveForever()} awaits; completed by {@link #close()}. */
    private Future<Void> servingForever;
    private boolean closed;
    /** Where accepted sockets go instead of being served here; null: served here. */
    private java.util.function.Consumer<? super StreamSocket> acceptedSocketHandler;
    /** Closes the server (its listening sockets) if the loop closes first. */
    private final LoopResource closer = new LoopResource() {
        @Override
        void closeWithLoop() {
            close();
        }
    };

    Server(EventLoop loop, Supplier<? extends Protocol> factory, NetOptions options, boolean tcp,
            Path unixPath) {
        this.loop = loop;
        this.net = NetLoopState.of(loop);
        this.factory = factory;
        this.options = options;
        this.tcp = tcp;
        this.unixPath = unixPath;
        net.track(closer);
    }

    /** Starts accepting on {@code socket}; the server owns it from now on. */
    void addListener(dev.pollen.spi.ListenSocket socket) {
        Listener l = new Listener(this, loop, socket);
        listeners.add(l);
        l.register();
    }

    /** Sets up a freshly accepted connection (or hands it to the accepted-socket handler). */
    void accepted(StreamSocket s) {
        java.util.function.Consumer<? super StreamSocket> handler = acceptedSocketHandler;
        if (handler != null) {
            handler.accept(s); // options are set by whoever serves it (connectAcceptedSocket)
            return;
        }
        if (tcp) {
            applyAcceptedOptions(s, options);
        }
        serve(s, tcp);
    }

    /**
     * Serves a connected socket of this loop's poller as one of this server's connections.
     *
     * @return its transport, or null if the protocol factory failed (the socket is then closed
     *         and the error reported)
     */
    private StreamTransport serve(StreamSocket s, boolean tcp) {
        Protocol p;
        try {
            p = factory.get();
        } catch (Throwable t) {
            s.close();
            loop.callExceptionHandler(new ExceptionContext("the protocol factory of " + this
                    + " failed; the accepted connection was closed", t, this));
            return null;
        }
        if (p == null) {
            s.close();
            loop.callExceptionHandler(new ExceptionContext("the protocol factory of " + this
                    + " returned null; the accepted connection was closed", null, this));
            return null;
        }
        StreamTransport t = new StreamTransport(loop, net, s, tcp, options);
        t.server(this);
        clients.add(t);
        t.register();
        t.start(p);
        return t;
    }

    /**
     * Serves {@code socket}, accepted somewhere else (typically by another loop's server whose
     * {@linkplain #setAcceptedSocketHandler accepted-socket handler} handed it over), as one of
     * this server's connections: a protocol from this server's factory, this server's options,
     * counted by {@link #connectionCount()}, ended by {@link #closeClients()} /
     * {@link #abortClients()}, awaited by {@link #waitClosed()}. A socket of another poller is
     * first adopted ({@link dev.pollen.spi.SocketLayer#adopt}). Errors of the protocol factory go
     * to the loop's exception handler, as for a connection this server accepted itself.
     *
     * <p><b>Threading:</b> loop thread only; the socket's old loop must not touch it any more.
     *
     * @param socket an open, connected, unregistered stream socket of this loop's poller or of
     *               another poller of the same provider; this server owns it from now on
     * @return the connection's transport, or null if the protocol factory failed (the socket is
     *         then closed)
     * @throws IllegalStateException    if the server is closed (the socket is closed too)
     * @throws IllegalArgumentException if the socket cannot be adopted (another provider's,
     *                                  closed or registered; it is left as it was)
     */
    public Transport connectAcceptedSocket(StreamSocket socket) {
        loop.checkThread("Server.connectAcceptedSocket");
        java.util.Objects.requireNonNull(socket, "socket");
        StreamSocket s = loop.poller().sockets().adopt(socket);
        if (closed) {
            s.close();
            throw new IllegalStateException("connectAcceptedSocket: " + this + " is closed; the "
                    + "socket was closed");
        }
        boolean inet = s.localAddress() instanceof java.net.InetSocketAddress;
        if (inet) {
            applyAcceptedOptions(s, options);
        }
        return serve(s, inet);
    }

    /**
     * Sends the sockets this server accepts to {@code handler} instead of serving them here: the
     * way one accepting loop spreads connections over several loops (the handler hands each
     * socket to another loop with {@code callSoonThreadsafe}, whose server takes it with
     * {@link #connectAcceptedSocket}, which also sets the connection options, so the accepting
     * loop makes no system call beyond the accept). The handler gets each socket connected and
     * unregistered, and owns it from then on; if it throws, the socket is closed and the error
     * reported.
     *
     * <p><b>Threading:</b> loop thread only; the handler runs on this loop's thread.
     *
     * @param handler where accepted sockets go, or null to serve them here again
     */
    public void setAcceptedSocketHandler(
            java.util.function.Consumer<? super StreamSocket> handler) {
        loop.checkThread("Server.setAcceptedSocketHandler");
        this.acceptedSocketHandler = handler;
    }

    /** Applies the connection options the kernel may not copy from the listener. */
    static void applyAcceptedOptions(StreamSocket s, NetOptions options) {
        try {
            // Set explicitly: whether accepted sockets inherit these from the listener differs
            // between kernels.
            if (options.tcpNoDelay()) {
                s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            if (options.keepAlive()) {
                s.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            }
            if (options.sendBufferSize() > 0) {
                s.setOption(StandardSocketOptions.SO_SNDBUF, options.sendBufferSize());
            }
        } catch (IOException | RuntimeException e) {
            // The peer may already have reset the connection; the first read will say so.
        }
    }

    /** A connection of this server is gone. */
    void detach(StreamTransport t) {
        clients.remove(t);
        maybeWakeWaiters();
    }

    /**
     * The addresses the server listens on (with the real ports when port 0 was asked for).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return one address per listening socket; empty once closed
     */
    public List<SocketAddress> sockets() {
        if (closed) {
            return List.of();
        }
        List<SocketAddress> out = new ArrayList<>(listeners.size());
        for (Listener l : listeners) {
            out.add(l.address());
        }
        return out;
    }

    /**
     * The TCP port the server listens on: the real one when port 0 was asked for (the same on
     * every address of a server bound to several). Still answers once the server is closed.
     *
     * <p><b>Threading:</b> any thread (the port is fixed when the server is made).
     *
     * @return the bound port
     * @throws IllegalStateException if this is a Unix-socket server (it has a path, see
     *                               {@link #sockets()}, not a port)
     */
    public int port() {
        if (!tcp || listeners.isEmpty()
                || !(listeners.get(0).address() instanceof java.net.InetSocketAddress a)) {
            throw new IllegalStateException("a Unix-socket server has no port; its path is in "
                    + "sockets() (" + this + ")");
        }
        return a.getPort();
    }

    /**
     * Whether the server accepts connections.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true until {@link #close()}
     */
    public boolean isServing() {
        return !closed;
    }

    /**
     * Serves until the calling task is cancelled or the server is closed (asyncio's
     * {@code Server.serve_forever}). The server already accepts when it is made; this is the
     * await that keeps a program's main task in place: {@code Net.startServer(...).serveForever()}.
     *
     * <p>When the calling task is cancelled, the server is closed, the task waits until its
     * last connection is gone ({@link #waitClosed()}), and the cancellation propagates. When
     * somebody else calls {@link #close()}, this also waits for the last connection, then
     * returns normally (asyncio raises {@code CancelledError} there although nobody cancelled
     * the task; docs/asyncio.md lists the deviation). To end connections rather than wait for
     * them, call {@link #closeClients()} too.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @throws dev.pollen.loop.CancelledException if the calling task was cancelled
     * @throws IllegalStateException if the server is closed, or another task is already in
     *                               {@code serveForever} on it
     */
    public void serveForever() {
        loop.checkThread("Server.serveForever");
        if (servingForever != null) {
            throw new IllegalStateException("another task is already in serveForever() on "
                    + this);
        }
        if (closed) {
            throw new IllegalStateException("serveForever(): " + this + " is closed");
        }
        Future<Void> serving = loop.createFuture();
        servingForever = serving;
        try {
            serving.await();
        } catch (dev.pollen.loop.CancelledException cancelled) {
            close();
            waitClosed().await();
            throw cancelled;
        } finally {
            servingForever = null;
        }
        waitClosed().await();
    }

    /**
     * Stops accepting and closes the listening sockets (a Unix socket's file is removed). Open
     * connections stay open. A task in {@link #serveForever()} goes on to wait for them.
     * Idempotent.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void close() {
        loop.checkThread("Server.close");
        if (closed) {
            return;
        }
        closed = true;
        net.untrack(closer);
        Future<Void> serving = servingForever;
        if (serving != null && !serving.isDone()) {
            serving.setResult(null);
        }
        for (Listener l : listeners) {
            l.close();
        }
        if (unixPath != null) {
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException e) {
                loop.callExceptionHandler(new ExceptionContext("could not remove the Unix socket "
                        + "file " + unixPath + " of a closed server", e, this));
            }
        }
        maybeWakeWaiters();
    }

    /**
     * Closes every connection gracefully ({@link Transport#close()}: queued data is sent first;
     * a TLS connection also sends close_notify, one still in its handshake is just closed).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void closeClients() {
        loop.checkThread("Server.closeClients");
        for (StreamTransport t : new ArrayList<>(clients)) {
            t.front().close(); // a TLS connection sends close_notify first
        }
    }

    /**
     * Aborts every connection ({@link Transport#abort()}: queued data is discarded).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void abortClients() {
        loop.checkThread("Server.abortClients");
        for (StreamTransport t : new ArrayList<>(clients)) {
            t.front().abort();
        }
    }

    /**
     * A future completed once the server is closed and all its connections are gone (their
     * {@code connectionLost} has run).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return a future of this server's loop
     */
    public Future<Void> waitClosed() {
        loop.checkThread("Server.waitClosed");
        Future<Void> f = loop.createFuture();
        if (closed && clients.isEmpty()) {
            f.setResult(null);
        } else {
            if (waiters == null) {
                waiters = new ArrayList<>(1);
            }
            waiters.add(f);
        }
        return f;
    }

    /**
     * How many accepted connections are open.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the number of connections whose {@code connectionLost} has not run yet
     */
    public int connectionCount() {
        return clients.size();
    }

    /**
     * The loop the server runs on.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the loop
     */
    public EventLoop loop() {
        return loop;
    }

    /** The listeners (for tests). */
    List<Listener> listeners() {
        return listeners;
    }

    private void maybeWakeWaiters() {
        if (!closed || !clients.isEmpty() || waiters == null) {
            return;
        }
        List<Future<Void>> w = waiters;
        waiters = null;
        for (Future<Void> f : w) {
            if (!f.isDone()) {
                f.setResult(null);
            }
        }
    }

    @Override
    public String toString() {
        List<String> addrs = new ArrayList<>();
        for (Listener l : listeners) {
            addrs.add(Addresses.format(l.address()));
        }
        return "Server" + addrs + (closed ? "[closed]" : "") + "[" + clients.size()
                + " connections]";
    }
}
