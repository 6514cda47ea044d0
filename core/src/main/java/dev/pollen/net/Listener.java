package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.TimerHandle;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.ResourceExhaustedException;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * Accepts connections on one listening socket of a {@link Server}.
 *
 * <p><b>Accept errors never spin.</b> The listening socket stays readable while a connection
 * waits, so an accept that keeps failing would make a level-triggered poller report it again at
 * once, forever, burning a core. When the process or the system is out of descriptors or buffers
 * (EMFILE, ENFILE, ENOBUFS, ENOMEM: {@link ResourceExhaustedException}), the listener takes the
 * socket out of the poller (interest 0), reports the error once through the loop's exception
 * handler, and re-arms itself after {@link #BACKOFF_NANOS} (as asyncio's
 * {@code ACCEPT_RETRY_DELAY}). Other accept errors (e.g. a connection aborted before it was
 * accepted) are transient: they are reported and the next readiness is awaited.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class Listener implements IoHandler {

    /** How long accepting pauses after running out of resources (100 ms). */
    static final long BACKOFF_NANOS = 100_000_000L;
    /** Connections accepted per readiness event at most: one busy port cannot starve the rest. */
    static final int ACCEPT_BATCH = 64;

    private final Server server;
    private final EventLoop loop;
    private final ListenSocket socket;
    private final SocketAddress address;
    private Registration registration;
    private TimerHandle backoffTimer;
    private boolean closed;
    /** Test hook: the next accepts fail as if out of descriptors (see NetTestHooks). */
    int injectedFailures;
    /** How many times accepting backed off (for tests). */
    int backoffs;

    Listener(Server server, EventLoop loop, ListenSocket socket) {
        this.server = server;
        this.loop = loop;
        this.socket = socket;
        this.address = socket.localAddress();
    }

    void register() {
        registration = loop.poller().register(socket, Poller.READ, this);
    }

    SocketAddress address() {
        return address;
    }

    @Override
    public void onReady(int readyOps) {
        for (int i = 0; i < ACCEPT_BATCH && !closed; i++) {
            StreamSocket s;
            try {
                if (injectedFailures > 0) {
                    injectedFailures--;
                    throw new ResourceExhaustedException("accept(" + Addresses.format(address)
                            + "): EMFILE (Too many open files) [injected by a test]");
                }
                s = socket.accept();
            } catch (ResourceExhaustedException e) {
                backOff(e);
                return;
            } catch (IOException | RuntimeException e) {
                loop.callExceptionHandler(new ExceptionContext("accept on "
                        + Addresses.format(address) + " failed", e, server));
                return;
            }
            if (s == null) {
                return; // nothing left to accept (or another process took it)
            }
            try {
                server.accepted(s);
            } catch (Throwable t) {
                Callbacks.rethrowIfFatal(t);
                s.close();
                loop.callExceptionHandler(new ExceptionContext("setting up a connection "
                        + "accepted on " + Addresses.format(address) + " failed", t, server));
            }
        }
    }

    private void backOff(ResourceExhaustedException e) {
        backoffs++;
        registration.interest(0);
        loop.callExceptionHandler(new ExceptionContext("accept on " + Addresses.format(address)
                + " failed for lack of resources (" + e.getMessage() + "); not accepting for "
                + BACKOFF_NANOS / 1_000_000 + " ms", e, server));
        backoffTimer = loop.callLaterNanos(BACKOFF_NANOS, this::resume);
    }

    private void resume() {
        backoffTimer = null;
        if (!closed) {
            registration.interest(Poller.READ);
        }
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (backoffTimer != null) {
            backoffTimer.cancel();
            backoffTimer = null;
        }
        socket.close();
    }
}
