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
import java.net.SocketAddress;

/**
 * Accepts connections on one listening socket of a {@link Server}.
 *
 * <p><b>Accept errors never spin.</b> The listening socket stays readable while a connection
 * waits, so an accept that keeps failing would make a level-triggered poller report it again at
 * once, forever, burning a core. When an accept fails — above all because the process or the
 * system is out of descriptors or buffers (EMFILE, ENFILE, ENOBUFS, ENOMEM:
 * {@link ResourceExhaustedException}) — the listener takes the socket out of the poller
 * (interest 0) and re-arms itself after {@link #BACKOFF_NANOS}. (A connection the peer aborted
 * before we took it is not a failure: the socket layers retry those, as accept(2) advises.)
 *
 * <p><b>Reported at most once a second.</b> Under EMFILE the retries fail every 100 ms; a report
 * (through the loop's exception handler) is made for the first failure, then at most once per
 * {@link #REPORT_INTERVAL_NANOS}, and says how many attempts failed since the previous one.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class Listener implements IoHandler {

    /** How long accepting pauses after running out of resources (100 ms). */
    static final long BACKOFF_NANOS = 100_000_000L;
    /** Connections accepted per readiness event at most: one busy port cannot starve the rest. */
    static final int ACCEPT_BATCH = 64;
    /** The shortest time between two reports of failing accepts (1 s). */
    static final long REPORT_INTERVAL_NANOS = 1_000_000_000L;

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
    /** Failed accepts not yet reported. */
    private int unreported;
    /** When the last failure report was made ({@link EventLoop#time()}); valid if reportedOnce. */
    private long lastReport;
    private boolean reportedOnce;

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
            } catch (Throwable e) {
                // Out of descriptors, or anything else: retrying at once would fail the same way.
                backOff(e);
                return;
            }
            if (s == null) {
                return; // nothing left to accept (or another process took it)
            }
            try {
                server.accepted(s);
            } catch (Throwable t) {
                s.close();
                loop.callExceptionHandler(new ExceptionContext("setting up a connection "
                        + "accepted on " + Addresses.format(address) + " failed", t, server));
            }
        }
    }

    private void backOff(Throwable e) {
        backoffs++;
        unreported++;
        registration.interest(0);
        backoffTimer = loop.callLaterNanos(BACKOFF_NANOS, this::resume);
        long now = loop.time();
        if (reportedOnce && now - lastReport < REPORT_INTERVAL_NANOS) {
            return; // counted; the next report says how many
        }
        String why = e instanceof ResourceExhaustedException
                ? " for lack of resources (" + e.getMessage() + ")" : " (" + e + ")";
        String message = reportedOnce
                ? "accept on " + Addresses.format(address) + " failed " + unreported
                        + " time(s) in the last " + (now - lastReport) / 1_000_000 + " ms, the last"
                        + why + "; retrying every " + BACKOFF_NANOS / 1_000_000 + " ms"
                : "accept on " + Addresses.format(address) + " failed" + why
                        + "; not accepting for " + BACKOFF_NANOS / 1_000_000 + " ms, then retrying "
                        + "every " + BACKOFF_NANOS / 1_000_000 + " ms (further failures are "
                        + "reported at most once a second, with a count)";
        reportedOnce = true;
        lastReport = now;
        unreported = 0;
        loop.callExceptionHandler(new ExceptionContext(message, e, server));
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
