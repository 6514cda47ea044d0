package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.SocketLayer;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The implementations behind {@link Net}'s server, connection and datagram factories: argument
 * checks, resolution, binding.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class Endpoints {

    private Endpoints() {
    }

    static void checkPort(int port, boolean zeroAllowed) {
        if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
            throw new IllegalArgumentException("port must be between " + (zeroAllowed ? 0 : 1)
                    + " and 65535" + (zeroAllowed ? " (0 picks a free port)" : "") + ", got "
                    + port);
        }
    }

    /**
     * The loop-side checks of every entry point: the calling thread, and that the loop is open
     * (a closed loop would hand back a future that never completes).
     */
    static void checkLoop(EventLoop loop, String method) {
        loop.checkThread(method);
        if (loop.isClosed()) {
            throw new IllegalStateException(method + ": loop " + loop.name() + " is closed");
        }
    }

    static <T> Future<T> completed(EventLoop loop, T value) {
        Future<T> f = loop.createFuture();
        f.setResult(value);
        return f;
    }

    static <T> Future<T> failed(EventLoop loop, Throwable e) {
        Future<T> f = loop.createFuture();
        f.setException(e);
        return f;
    }

    static void checkUnix(EventLoop loop) {
        if (!loop.poller().sockets().supportsUnixDomain()) {
            throw new UnsupportedOperationException("the " + loop.poller().name() + " poller does "
                    + "not support Unix domain sockets");
        }
    }

    // ------------------------------------------------------------------ connections

    static <P extends Protocol> Future<Connection<P>> connect(EventLoop loop,
            Supplier<? extends P> factory, String host, int port, NetOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(host, "host");
        checkPort(port, false);
        checkLoop(loop, "Net.createConnection");
        return Connector.connect(loop, factory, Resolver.resolve(loop, host, port, false), options,
                true, Addresses.format(host, port));
    }

    static <P extends Protocol> Future<Connection<P>> connectUnix(EventLoop loop,
            Supplier<? extends P> factory, Path path, NetOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        checkLoop(loop, "Net.createUnixConnection");
        checkUnix(loop);
        Future<List<SocketAddress>> addr = completed(loop,
                List.of(UnixDomainSocketAddress.of(path)));
        return Connector.connect(loop, factory, addr, options, false, "unix:" + path);
    }

    /** {@link Net#connectAcceptedSocket}: adopt, then set up as an accepted connection. */
    static <P extends Protocol> Future<Connection<P>> connectAccepted(EventLoop loop,
            Supplier<? extends P> factory, StreamSocket socket, NetOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(options, "options");
        checkLoop(loop, "Net.connectAcceptedSocket");
        StreamSocket s = loop.poller().sockets().adopt(socket);
        boolean tcp = s.localAddress() instanceof InetSocketAddress;
        if (tcp) {
            Server.applyAcceptedOptions(s, options);
        }
        P p;
        try {
            p = Objects.requireNonNull(factory.get(), "the protocol factory returned null");
        } catch (Throwable t) {
            s.close();
            return failed(loop, t);
        }
        StreamTransport t = new StreamTransport(loop, NetLoopState.of(loop), s, tcp, options);
        try {
            t.register();
        } catch (RuntimeException e) {
            t.cancelConnect(); // no protocol attached yet: just close and forget the socket
            return failed(loop, e);
        }
        Throwable failed = t.start(p);
        return failed != null ? failed(loop, failed)
                : completed(loop, new Connection<>(t, p));
    }

    // ------------------------------------------------------------------ servers

    /** {@link Net#createHandoffServer}: a server with no listening socket. */
    static Server serveHandedOff(EventLoop loop, Supplier<? extends Protocol> factory,
            NetOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(options, "options");
        checkLoop(loop, "Net.createHandoffServer");
        return new Server(loop, factory, options, true, null);
    }

    static Future<Server> serve(EventLoop loop, Supplier<? extends Protocol> factory, String host,
            int port, NetOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(options, "options");
        checkPort(port, true);
        checkLoop(loop, "Net.createServer");
        Future<List<InetSocketAddress>> addrs = Resolver.resolve(loop, host, port, true);
        Future<Server> result = loop.createFuture();
        addrs.addDoneCallback(f -> {
            if (result.isDone()) {
                return;
            }
            if (f.isCancelled()) {
                result.cancel("address resolution was cancelled");
                return;
            }
            Throwable e = f.exception();
            if (e != null) {
                result.setException(e instanceof java.net.UnknownHostException u
                        ? Resolver.unknownHost("cannot listen on "
                                + Addresses.format(host, port), u)
                        : e);
                return;
            }
            Server server = new Server(loop, factory, options, true, null);
            List<ListenSocket> bound = listenAll(loop, f.result(), options, result);
            if (bound != null) {
                bound.forEach(server::addListener);
                result.setResult(server);
            }
        });
        return result;
    }

    /** Binds every address, or none: on the first failure the others are closed. */
    private static List<ListenSocket> listenAll(EventLoop loop, List<? extends SocketAddress> addrs,
            NetOptions options, Future<Server> result) {
        SocketLayer layer = loop.poller().sockets();
        List<ListenSocket> bound = new ArrayList<>(addrs.size());
        for (SocketAddress a : addrs) {
            try {
                bound.add(layer.listen(a, options.backlog(),
                        SocketOptionsMapper.forListener(options, a instanceof InetSocketAddress)));
            } catch (IOException | RuntimeException ex) {
                bound.forEach(ListenSocket::close);
                result.setException(ex instanceof IOException io ? bindError(a, io) : ex);
                return null;
            }
        }
        return bound;
    }

    /** The backend's error with the address the user asked for at the front of the message. */
    static IOException bindError(SocketAddress a, IOException e) {
        String named = Addresses.format(a);
        String msg = "cannot listen on " + named + ": "
                + Addresses.withoutRepeatedAddress(e.getMessage(), "bind", named);
        if (e instanceof BindException) {
            BindException b = new BindException(msg);
            b.initCause(e);
            return b;
        }
        return new IOException(msg, e);
    }

    static Future<Server> serveUnix(EventLoop loop, Supplier<? extends Protocol> factory, Path path,
            NetOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        checkLoop(loop, "Net.createUnixServer");
        checkUnix(loop);
        removeStaleSocket(path);
        Future<Server> result = loop.createFuture();
        List<ListenSocket> bound = listenAll(loop, List.of(UnixDomainSocketAddress.of(path)),
                options, result);
        if (bound != null) {
            Server server = new Server(loop, factory, options, false, path);
            bound.forEach(server::addListener);
            result.setResult(server);
        }
        return result;
    }

    /**
     * Removes a socket file left by a server that died without cleaning up (as asyncio does), so
     * bind does not fail with EADDRINUSE; any other kind of file is left alone and bind reports
     * it.
     */
    private static void removeStaleSocket(Path path) {
        try {
            Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (mode instanceof Integer m && (m & 0170000) == 0140000) { // S_IFMT == S_IFSOCK
                Files.deleteIfExists(path);
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // no such file, or no unix attribute view here: let bind decide
        }
    }

    // ------------------------------------------------------------------ datagrams

    static <P extends DatagramProtocol> Future<DatagramEndpoint<P>> datagram(EventLoop loop,
            Supplier<? extends P> factory, SocketAddress local, SocketAddress remote,
            NetOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(options, "options");
        if (local == null && remote == null) {
            throw new IllegalArgumentException("createDatagramEndpoint: give a local address to "
                    + "bind, a remote address to connect to, or both; both were null");
        }
        checkLoop(loop, "Net.createDatagramEndpoint");
        Future<SocketAddress> l = resolveOne(loop, local);
        Future<SocketAddress> r = resolveOne(loop, remote);
        Future<DatagramEndpoint<P>> result = loop.createFuture();
        l.addDoneCallback(lf -> r.addDoneCallback(rf -> {
            if (result.isDone()) {
                return;
            }
            Throwable e = lf.isCancelled() || rf.isCancelled() ? null
                    : lf.exception() != null ? lf.exception() : rf.exception();
            if (lf.isCancelled() || rf.isCancelled()) {
                result.cancel("address resolution was cancelled");
            } else if (e != null) {
                result.setException(e);
            } else {
                openDatagram(loop, factory, lf.result(), rf.result(), options, result);
            }
        }));
        return result;
    }

    private static <P extends DatagramProtocol> void openDatagram(EventLoop loop,
            Supplier<? extends P> factory, SocketAddress local, SocketAddress remote,
            NetOptions options, Future<DatagramEndpoint<P>> result) {
        DatagramSocket s;
        try {
            s = loop.poller().sockets().openDatagram(local, remote,
                    SocketOptionsMapper.forDatagram(options));
        } catch (IOException e) {
            result.setException(local != null ? bindError(local, e) : e);
            return;
        } catch (RuntimeException e) {
            result.setException(e);
            return;
        }
        P p;
        try {
            p = Objects.requireNonNull(factory.get(), "the protocol factory returned null");
        } catch (Throwable t) {
            s.close();
            result.setException(t);
            return;
        }
        UdpTransport t = new UdpTransport(loop, s, options);
        Throwable failed = t.start(p);
        if (failed != null) {
            result.setException(failed);
        } else {
            result.setResult(new DatagramEndpoint<>(t, p));
        }
    }

    /** Resolves an unresolved {@link InetSocketAddress} off the loop; anything else as is. */
    private static Future<SocketAddress> resolveOne(EventLoop loop, SocketAddress a) {
        if (!(a instanceof InetSocketAddress i) || !i.isUnresolved()) {
            return completed(loop, a);
        }
        Future<SocketAddress> out = loop.createFuture();
        Resolver.resolve(loop, i.getHostString(), i.getPort(), false).addDoneCallback(f -> {
            if (f.isCancelled()) {
                out.cancel();
            } else if (f.exception() != null) {
                out.setException(f.exception());
            } else {
                out.setResult(f.result().get(0));
            }
        });
        return out;
    }
}
