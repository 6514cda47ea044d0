package dev.pollen.examples;

import dev.pollen.group.GroupServer;
import dev.pollen.group.LoopGroup;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the echo and proxy commands share: making the group, printing the "listening" line, and
 * unwrapping start-up failures into one readable message.
 *
 * <p><b>Threading:</b> the command's thread (not a loop thread).
 */
final class Servers {

    private Servers() {
    }

    /** A group of {@code loops} loops on {@code poller}. */
    static LoopGroup group(String name, int loops, String poller) {
        return LoopGroup.builder().name(name).loops(loops).poller(poller).build();
    }

    /**
     * What to print for a failure: its message, which for the library's network errors already
     * names what was being done ("connect to HOST:PORT: ..."); the class name only when there is
     * no message.
     */
    static String message(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    /**
     * Waits for a server (a group server, a proxy) to start. A failure becomes an exception
     * whose message says it all: the library's own ("cannot listen on 127.0.0.1:80: bind(...):
     * EACCES ..."), which already names the address, or {@code "cannot listen on ADDRESS: ..."}
     * for the rest; so a command prints it after its name and adds no prefix of its own.
     */
    static <S> S await(java.util.concurrent.CompletableFuture<S> start, String address)
            throws StartFailure, InterruptedException {
        try {
            return start.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            String m = message(c);
            throw new StartFailure(m.startsWith("cannot listen on ") ? m
                    : "cannot listen on " + address + ": " + m, c);
        } catch (TimeoutException e) {
            throw new StartFailure("cannot listen on " + address + ": the server did not start "
                    + "within 30 s", e);
        }
    }

    /** Prints {@code listening HOST:PORT poller=NAME} for each bound address. */
    static void printListening(PrintStream out, GroupServer server, String pollerName) {
        for (var a : server.addresses()) {
            out.println("listening " + Ports.format(a) + " poller=" + pollerName);
        }
        out.flush();
    }

    /**
     * Handles SIGINT and SIGTERM on the group's first loop with
     * {@link dev.pollen.loop.EventLoop#addSignalHandler}: the returned future completes with the
     * signal's name ({@code SIGTERM}) when one arrives, or with null when every loop of the group
     * has ended first. The handlers go away with the loop when the group shuts down, and the
     * JVM's own handling (exit) is back.
     */
    static java.util.concurrent.CompletableFuture<String> stopSignal(LoopGroup group) {
        java.util.concurrent.CompletableFuture<String> signal =
                new java.util.concurrent.CompletableFuture<>();
        dev.pollen.loop.EventLoop loop = group.loop(0);
        group.submit(loop, () -> {
            for (String name : new String[] {"INT", "TERM"}) {
                try {
                    loop.addSignalHandler(name, () -> signal.complete("SIG" + name));
                } catch (IllegalArgumentException reserved) {
                    // a JVM started with -Xrs: the default handling (exit) stays
                }
            }
        }).join();
        group.terminationFuture().whenComplete((v, e) -> signal.complete(null));
        return signal;
    }

    /** Shuts a group down: a short quiet period, then whatever is left is cancelled. */
    static void shutdown(LoopGroup group, Duration timeout) throws InterruptedException {
        group.shutdownGracefully(Duration.ofMillis(100), timeout);
        if (!group.awaitTermination(timeout.plusSeconds(5))) {
            group.shutdownNow();
            group.awaitTermination(Duration.ofSeconds(5));
        }
    }

    /** A server could not start (bind error, unknown host, ...). */
    static final class StartFailure extends Exception {
        private static final long serialVersionUID = 1L;

        StartFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
