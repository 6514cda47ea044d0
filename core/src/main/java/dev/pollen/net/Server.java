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
 * when the server is closed <em>and</em> its last connection is gone (asyncio 3.12 semantics).
 * A typical shutdown: {@code server.close(); server.closeClients(); server.waitClosed().await();}
 *
 * <p><b>Threading:</b> loop thread only, except {@link #loop()}.
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
    private boolean closed;

    Server(EventLoop loop, Supplier<? extends Protocol> factory, NetOptions options, boolean tcp,
            Path unixPath) {
        this.loop = loop;
        this.net = NetLoopState.of(loop);
        this.factory = factory;
        this.options = options;
        this.tcp = tcp;
        this.unixPath = unixPath;
    }

    /** Starts accepting on {@code socket}; the server owns it from now on. */
    void addListener(dev.pollen.spi.ListenSocket socket) {
        Listener l = new Listener(this, loop, socket);
        listeners.add(l);
        l.register();
    }

    /** Sets up a freshly accepted connection. */
    void accepted(StreamSocket s) {
        if (tcp) {
            applyAcceptedOptions(s);
        }
        Protocol p;
        try {
            p = factory.get();
        } catch (Throwable t) {
            Callbacks.rethrowIfFatal(t);
            s.close();
            loop.callExceptionHandler(new ExceptionContext("the protocol factory of " + this
                    + " failed; the accepted connection was closed", t, this));
            return;
        }
        if (p == null) {
            s.close();
            loop.callExceptionHandler(new ExceptionContext("the protocol factory of " + this
                    + " returned null; the accepted connection was closed", null, this));
            return;
        }
        StreamTransport t = new StreamTransport(loop, net, s, tcp, options);
        t.server(this);
        clients.add(t);
        t.register();
        t.start(p);
    }

    private void applyAcceptedOptions(StreamSocket s) {
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
     * Stops accepting and closes the listening sockets (a Unix socket's file is removed). Open
     * connections stay open. Idempotent.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void close() {
        loop.checkThread("Server.close");
        if (closed) {
            return;
        }
        closed = true;
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
     * Closes every connection gracefully ({@link Transport#close()}: queued data is sent first).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void closeClients() {
        loop.checkThread("Server.closeClients");
        for (StreamTransport t : new ArrayList<>(clients)) {
            t.close();
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
            t.abort();
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
