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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One {@link Net#createConnection}: waits for the addresses, reorders them by family
 * ({@link NetOptions#effectiveInterleave()}), tries them until one connects, under an optional
 * total timeout, then makes the protocol and completes the future. Cancelling the future abandons
 * the attempt.
 *
 * <p>Without {@link NetOptions#happyEyeballsDelay()} the addresses are tried one after the
 * other. With it, the attempts are staggered (RFC 8305, asyncio's {@code staggered_race}): the
 * next address is tried when the latest attempt fails or when the delay since it started has
 * passed, without giving up the attempts in flight; the first to connect wins and the others are
 * closed before any protocol is made.
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
    /** The connects in flight (one without Happy Eyeballs); the last is the latest started. */
    private final List<StreamTransport> attempts = new ArrayList<>(2);
    private TimerHandle timer;
    /** Happy Eyeballs: starts the next attempt when the delay has passed. */
    private TimerHandle staggerTimer;

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
                c.result.setException(e instanceof java.net.UnknownHostException u
                        ? Resolver.unknownHost("connect to " + target, u) : e);
            } else if (f.result().isEmpty()) {
                c.result.setException(new ConnectException("connect to " + target
                        + ": the host name resolved to no address"));
            } else {
                c.addresses = interleave(f.result(), options.effectiveInterleave());
                c.tryNext();
            }
        });
        return c.result;
    }

    /**
     * Reorders {@code addresses} by family (asyncio's {@code _interleave_addrinfos}, RFC 8305
     * section 4): the families in order of first appearance, {@code firstFamilyCount - 1}
     * addresses of the first family, then one of each family in turn. 0 keeps the order.
     */
    static <A extends SocketAddress> List<A> interleave(List<A> addresses, int firstFamilyCount) {
        if (firstFamilyCount <= 0 || addresses.size() < 2) {
            return addresses;
        }
        java.util.LinkedHashMap<Object, java.util.ArrayDeque<A>> byFamily =
                new java.util.LinkedHashMap<>();
        for (A a : addresses) {
            Object family = a instanceof java.net.InetSocketAddress i && i.getAddress() != null
                    ? Resolver.familyOf(i.getAddress()) : a.getClass();
            byFamily.computeIfAbsent(family, k -> new java.util.ArrayDeque<>()).add(a);
        }
        if (byFamily.size() < 2) {
            return addresses;
        }
        List<java.util.ArrayDeque<A>> lists = new ArrayList<>(byFamily.values());
        List<A> out = new ArrayList<>(addresses.size());
        for (int i = 1; i < firstFamilyCount && !lists.get(0).isEmpty(); i++) {
            out.add(lists.get(0).poll());
        }
        while (out.size() < addresses.size()) {
            for (java.util.ArrayDeque<A> l : lists) {
                A a = l.poll();
                if (a != null) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    /**
     * Starts the next attempt that can start (an address whose socket cannot even be made is
     * an error and the next one is tried at once); fails the result when none is left and none
     * is in flight.
     */
    private void tryNext() {
        if (staggerTimer != null) {
            staggerTimer.cancel();
            staggerTimer = null;
        }
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
            StreamTransport attempt = new StreamTransport(loop, NetLoopState.of(loop), s, tcp,
                    options);
            attempts.add(attempt);
            attempt.startConnect(this);
            Duration delay = options.happyEyeballsDelay();
            if (delay != null && next < addresses.size() && !result.isDone()) {
                staggerTimer = loop.callLater(delay, this::staggerElapsed);
            }
            return;
        }
        if (attempts.isEmpty() && !result.isDone()) {
            result.setException(combinedError());
        }
    }

    /** Happy Eyeballs: the latest attempt has had its delay; start the next one alongside. */
    private void staggerElapsed() {
        staggerTimer = null;
        if (!result.isDone()) {
            tryNext();
        }
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
        String msg = "connect to " + target + ": "
                + Addresses.withoutRepeatedAddress(e.getMessage(), "connect", target);
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
        attempts.remove(transport);
        if (result.isDone()) {
            transport.cancelConnect(); // cancelled or timed out meanwhile; no protocol exists yet
            return;
        }
        abandonAttempts(); // Happy Eyeballs: this one won, close the others
        if (staggerTimer != null) {
            staggerTimer.cancel();
            staggerTimer = null;
        }
        P protocol;
        try {
            protocol = factory.get();
        } catch (Throwable t) {
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
        boolean latest = !attempts.isEmpty() && attempts.get(attempts.size() - 1) == transport;
        attempts.remove(transport);
        errors.add(error);
        if (result.isDone()) {
            return;
        }
        if (latest || attempts.isEmpty()) {
            // The latest attempt failed: the next starts now, not when its delay passes (an
            // earlier one failing changes nothing while a later one is in flight, as asyncio).
            tryNext();
        }
    }

    private void timedOut() {
        timer = null;
        if (result.isDone()) {
            return;
        }
        abandonAttempts();
        result.setException(new SocketTimeoutException("connect to " + target + " timed out after "
                + options.connectTimeout().toMillis() + " ms"));
    }

    /** Closes every connect still in flight. */
    private void abandonAttempts() {
        for (StreamTransport t : attempts) {
            t.cancelConnect();
        }
        attempts.clear();
    }

    /** The result is done (success, failure or cancel): release the timers and any attempt. */
    private void finished() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        if (staggerTimer != null) {
            staggerTimer.cancel();
            staggerTimer = null;
        }
        abandonAttempts();
    }
}
