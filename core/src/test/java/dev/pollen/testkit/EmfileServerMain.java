package dev.pollen.testkit;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.NetTestHooks;
import dev.pollen.net.Server;
import dev.pollen.spi.ResourceExhaustedException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * The child JVM of {@link EmfileContract}: an echo server on the named poller, run under a low
 * open-file limit. It prints {@code PORT <n>}, then every 100 ms a line
 * {@code STATS iterations=<loop iterations> backoffs=<accept back-offs> connections=<open>}, and
 * exits when its standard input closes (or after two minutes).
 *
 * <p><b>Threading:</b> the main thread runs the loop; a daemon thread watches standard input.
 */
public final class EmfileServerMain {

    private static int backoffs;

    private EmfileServerMain() {
    }

    /**
     * Runs the server.
     *
     * @param args the poller name
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        EventLoop loop = EventLoop.builder().poller(args[0]).exceptionHandler(
                EmfileServerMain::onError).build();
        Server server = loop.runUntilComplete(Net.createServer(loop, NetFixture.Echo::new,
                "127.0.0.1", 0, NetOptions.builder().backlog(256).build()));
        int port = ((InetSocketAddress) server.sockets().get(0)).getPort();
        warmUp(loop, server, port);
        System.out.println("PORT " + port);
        System.out.flush();
        Runnable[] stats = new Runnable[1];
        stats[0] = () -> {
            System.out.println("STATS iterations=" + loop.stats().iterations() + " backoffs="
                    + backoffs + " connections=" + server.connectionCount());
            System.out.flush();
            loop.callLater(Duration.ofMillis(100), stats[0]);
        };
        loop.callSoon(stats[0]);
        loop.callLater(Duration.ofMinutes(2), loop::stop);
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // wait for the parent to close our standard input
                }
            } catch (java.io.IOException ignored) {
                // the parent is gone
            }
            loop.callSoonThreadsafe(loop::stop);
        }, "stdin-watcher");
        stdin.setDaemon(true);
        stdin.start();
        loop.runForever();
        loop.close();
        System.exit(0);
    }

    /**
     * Runs every path the test will exercise once, while descriptors are plentiful: the JVM opens
     * class files and jars lazily, and must not need a descriptor for that in the middle of EMFILE.
     */
    private static void warmUp(EventLoop loop, Server server, int port) throws Exception {
        NetTestHooks.injectAcceptFailures(server, 1);
        int before = backoffs;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            var done = loop.createFuture();
            Runnable[] poll = new Runnable[1];
            poll[0] = () -> {
                if (server.connectionCount() == 1) {
                    done.setResult(null);
                } else {
                    loop.callLater(Duration.ofMillis(5), poll[0]);
                }
            };
            loop.callSoon(poll[0]);
            loop.runUntilComplete(done);
            s.getOutputStream().write('w');
            var echoed = loop.createFuture();
            Thread reader = new Thread(() -> {
                try {
                    s.getInputStream().read();
                } catch (java.io.IOException ignored) {
                    // reported below by the count
                }
                loop.callSoonThreadsafe(() -> echoed.setResult(null));
            });
            reader.start();
            loop.runUntilComplete(echoed);
        }
        var closed = loop.createFuture();
        Runnable[] poll = new Runnable[1];
        poll[0] = () -> {
            if (server.connectionCount() == 0) {
                closed.setResult(null);
            } else {
                loop.callLater(Duration.ofMillis(5), poll[0]);
            }
        };
        loop.callSoon(poll[0]);
        loop.runUntilComplete(closed);
        if (backoffs != before + 1) {
            throw new IllegalStateException("warm-up back-off not seen");
        }
        backoffs = 0;
        System.out.println("STATS iterations=0 backoffs=0 connections=0"); // loads the printing
    }

    private static void onError(EventLoop loop, ExceptionContext ctx) {
        if (ctx.exception() instanceof ResourceExhaustedException) {
            backoffs++;
        } else {
            System.out.println("ERROR " + ctx.message() + " " + ctx.exception());
            System.out.flush();
        }
    }
}
