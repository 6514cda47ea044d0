package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.TimerHandle;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One {@link Net#createConnection}: waits for the addresses, tries them one after the other
 * (as asyncio does without happy eyeballs) until one connects, under an optional total timeout,
 * then makes the protocol and completes the future. Cancelling the future abandons the attempt.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class Connector<P extends Protocol> implements ConnectCallback {

    private final EventLoop loop;
    private final Supplier<? extends P> factory;
    private final NetOptions options;
    private final SocketOptions socketOptions;
    private final boolean tcp;
    private final String target;
    private final Future<Connection<P>> result;
    private final List<IOException> errors = new ArrayList<>(2);
    private List<? extends SocketAddress> addresses;
    private int next;
    private StreamTransport attempt;
    private TimerHandle timer;

    private Connector(EventLoop loop, Supplier<? extends P> factory, NetOptions options,
            boolean tcp, String target) {
        this.loop = loop;
        this.factory = factory;
        this.options = options;
        this.socketOptions = SocketOptionsMapper.forConnection(options, tcp);
        this.tcp = tcp;
        this.target = target;
        this.result = loop.createFuture();
    }

    /**
     * Connects to the first of {@code addresses} that accepts.
     *
     * @param target what the user asked for, for messages ({@code host:port} or a path)
     */
    static <P extends Protocol> Future<Connection<P>> connect(EventLoop loop,
            Supplier<? extends P> factory,
            Future<? extends List<? extends SocketAddress>> addresses,
            NetOptions options, boolean tcp, String target) {
        Connector<P> c = new Connector<>(loop, factory, options, tcp, target);
        if (options.connectTimeout() != null) {
            c.timer = loop.callLater(options.connectTimeout(), c::timedOut);
        }
        c.result.addDoneCallback(f -> c.finished());
        addresses.addDoneCallback(f -> {
            if (c.result.isDone()) {
                return;
            }
            Throwable e = f.isCancelled() ? null : f.exception();
            if (f.isCancelled()) {
                c.result.cancel("address resolution was cancelled");
            } else if (e != null) {
                c.result.setException(e);
            } else if (f.result().isEmpty()) {
                c.result.setException(new ConnectException("connect to " + target
                        + ": the host name resolved to no address"));
            } else {
                c.addresses = f.result();
                c.tryNext();
            }
        });
        return c.result;
    }

    private void tryNext() {
        while (next < addresses.size()) {
            SocketAddress a = addresses.get(next++);
            StreamSocket s;
            try {
                s = loop.poller().sockets().connect(a, socketOptions);
            } catch (IOException e) {
                errors.add(e);
                continue;
            } catch (RuntimeException e) {
                result.setException(e);
                return;
            }
            attempt = new StreamTransport(loop, NetLoopState.of(loop), s, tcp, options);
            attempt.startConnect(this);
            return;
        }
        result.setException(combinedError());
    }

    private IOException combinedError() {
        if (errors.size() == 1) {
            return named(errors.get(0));
        }
        StringBuilder sb = new StringBuilder("connect to " + target
                + " failed for every address: ");
        for (int i = 0; i < errors.size(); i++) {
            sb.append(i > 0 ? "; " : "").append(errors.get(i).getMessage());
        }
        ConnectException e = new ConnectException(sb.toString());
        errors.forEach(e::addSuppressed);
        return e;
    }

    /**
     * The backend's error with what the user asked for in front ("connect to localhost:80: ..."),
     * keeping its type where that type has a message constructor.
     */
    private IOException named(IOException e) {
        String msg = "connect to " + target + ": " + e.getMessage();
        IOException out;
        if (e instanceof ConnectException) {
            out = new ConnectException(msg);
        } else if (e instanceof java.net.NoRouteToHostException) {
            out = new java.net.NoRouteToHostException(msg);
        } else if (e instanceof java.net.SocketException) {
            out = new java.net.SocketException(msg);
        } else {
            return new IOException(msg, e);
        }
        out.initCause(e);
        return out;
    }

    @Override
    public void connected(StreamTransport transport) {
        attempt = null;
        if (result.isDone()) {
            transport.cancelConnect(); // cancelled or timed out meanwhile; no protocol exists yet
            return;
        }
        P protocol;
        try {
            protocol = factory.get();
        } catch (Throwable t) {
            Callbacks.rethrowIfFatal(t);
            transport.cancelConnect();
            result.setException(t);
            return;
        }
        if (protocol == null) {
            transport.cancelConnect();
            result.setException(new NullPointerException("the protocol factory returned null"));
            return;
        }
        Throwable failed = transport.start(protocol);
        if (failed != null) {
            result.setException(failed);
        } else {
            result.setResult(new Connection<>(transport, protocol));
        }
    }

    @Override
    public void connectFailed(StreamTransport transport, IOException error) {
        attempt = null;
        errors.add(error);
        if (!result.isDone()) {
            tryNext();
        }
    }

    private void timedOut() {
        timer = null;
        if (result.isDone()) {
            return;
        }
        if (attempt != null) {
            attempt.cancelConnect();
            attempt = null;
        }
        result.setException(new SocketTimeoutException("connect to " + target + " timed out after "
                + options.connectTimeout().toMillis() + " ms"));
    }

    /** The result is done (success, failure or cancel): release the timer and any attempt. */
    private void finished() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        if (attempt != null) {
            attempt.cancelConnect();
            attempt = null;
        }
    }
}
