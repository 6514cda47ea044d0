package dev.pollen.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code proxy} as a child process in front of an upstream that lives in the test (so the test sees
 * both ends): data integrity both ways, flow control against a client that stops reading, the
 * SIGTERM shutdown with its summary, and a failed upstream connect.
 */
class ProxyIT {

    private static final long MIB = 1024 * 1024;
    private static final Pattern SUMMARY = Pattern.compile(
            "^proxy summary: connections=(\\d+) bytes client->upstream=(\\d+) upstream->client=(\\d+) errors=(\\d+)$");

    @Test
    void forwards100MiBUnchangedBothWaysThenPrintsTheSummaryOnSigterm() throws Exception {
        long total = 100 * MIB;
        try (ServerSocket upstream = listen(); JarRun proxy = startProxy(upstream.getLocalPort())) {
            int port = listeningPort(proxy);
            try (Socket client = EchoIT.connect(port); Socket up = accept(upstream)) {
                // Both directions at once, each ended by a half-close the proxy must forward.
                CompletableFuture<?> toUpstream = Background.call("client-writes", () -> {
                    RandomBytes.write(client.getOutputStream(), 11, total);
                    client.shutdownOutput();
                    return null;
                });
                CompletableFuture<?> toClient = Background.call("upstream-writes", () -> {
                    RandomBytes.write(up.getOutputStream(), 22, total);
                    up.shutdownOutput();
                    return null;
                });
                CompletableFuture<?> atUpstream = Background.call("upstream-checks",
                        () -> RandomBytes.readAndCheck(up.getInputStream(), 11, total, "client->upstream"));
                CompletableFuture<?> atClient = Background.call("client-checks",
                        () -> RandomBytes.readAndCheck(client.getInputStream(), 22, total, "upstream->client"));
                for (CompletableFuture<?> f : new CompletableFuture<?>[] {toUpstream, toClient, atUpstream, atClient}) {
                    join(f, Duration.ofSeconds(120), proxy);
                }
            }
            proxy.terminate();
            JarRun.Result r = proxy.finish(Duration.ofSeconds(30));
            assertEquals(0, r.status(), "SIGTERM is a clean stop\n" + r.describe());
            Matcher s = summary(r);
            assertEquals("1", s.group(1), "connections\n" + r.describe());
            assertEquals(Long.toString(total), s.group(2), "bytes client->upstream\n" + r.describe());
            assertEquals(Long.toString(total), s.group(3), "bytes upstream->client\n" + r.describe());
            assertEquals("0", s.group(4), "errors\n" + r.describe());
        }
    }

    @Test
    void stopsReadingTheUpstreamWhileTheClientReadsNothing() throws Exception {
        long flood = 128 * MIB;
        // Kernel buffers on the proxy's two sockets (auto-tuned) plus its water marks: well under
        // this. Without flow control the proxy would read the whole flood into its memory.
        long bound = 16 * MIB;
        try (ServerSocket upstream = listen(); JarRun proxy = startProxy(upstream.getLocalPort())) {
            int port = listeningPort(proxy);
            try (Socket client = new Socket(); Socket up = acceptAfter(upstream, () -> {
                client.setReceiveBufferSize(64 * 1024); // small buffers at the test's ends: the
                client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)); // bound is the proxy's
            })) {
                client.setSoTimeout(30_000);
                up.setSendBufferSize(64 * 1024);
                long rssBefore = proxy.rssKiB();
                AtomicLong written = new AtomicLong();
                CompletableFuture<?> flooding = Background.call("upstream-floods", () -> {
                    RandomBytes source = new RandomBytes(33);
                    OutputStream out = up.getOutputStream();
                    for (long n = 0; n < flood; n += RandomBytes.BLOCK) {
                        out.write(source.nextBlock());
                        written.addAndGet(RandomBytes.BLOCK);
                    }
                    up.shutdownOutput();
                    return null;
                });

                // The client reads nothing: the upstream's writes must stop, i.e. the proxy stopped
                // reading the upstream. "Stopped" = no progress for 2 s (at most 30 s to get there).
                long stalledAt = awaitStall(written, flooding, Duration.ofSeconds(2), Duration.ofSeconds(30));
                assertFalse(flooding.isDone(), "the upstream wrote all " + flood + " bytes although the client read "
                        + "nothing: the proxy kept reading\n" + proxy.describeSoFar());
                assertTrue(stalledAt < bound, "the upstream got " + stalledAt + " bytes into a proxy whose client "
                        + "reads nothing; expected under " + bound + "\n" + proxy.describeSoFar());
                long rssGrowthKiB = proxy.rssKiB() - rssBefore;
                assertTrue(rssGrowthKiB < 64 * 1024, "the proxy's resident memory grew by " + rssGrowthKiB
                        + " KiB while the client read nothing\n" + proxy.describeSoFar());
                System.out.printf("flow control: upstream stalled after %d KiB; proxy RSS grew %d KiB%n",
                        stalledAt / 1024, rssGrowthKiB);

                // The client reads again: everything arrives, in order, and the upstream finishes.
                RandomBytes.readAndCheck(client.getInputStream(), 33, flood, "upstream->client after the stall");
                join(flooding, Duration.ofSeconds(30), proxy);
            }
            proxy.terminate();
            JarRun.Result r = proxy.finish(Duration.ofSeconds(30));
            assertEquals(0, r.status(), r.describe());
            Matcher s = summary(r);
            assertEquals(Long.toString(flood), s.group(3), "bytes upstream->client\n" + r.describe());
            assertEquals("0", s.group(4), "errors\n" + r.describe());
        }
    }

    @Test
    void sigtermStopsAcceptingLetsOpenConnectionsFinishThenClosesTheRest() throws Exception {
        int probesConnected;
        try (ServerSocket upstream = listen();
             JarRun proxy = startProxy(upstream.getLocalPort(), "--grace", "2000")) {
            int port = listeningPort(proxy);
            try (Socket a = EchoIT.connect(port); Socket upA = accept(upstream);
                 Socket b = EchoIT.connect(port); Socket upB = accept(upstream)) {
                CompletableFuture<?> echoA = echo(upA);
                CompletableFuture<?> echoB = echo(upB);
                assertEchoes(a, "ping");
                assertEchoes(b, "ping");

                proxy.terminate();
                proxy.awaitStderr(Pattern.compile("SIGTERM received: no new connections; 2 open"),
                        Duration.ofSeconds(10));
                probesConnected = awaitRefused(port, Duration.ofSeconds(5), proxy);

                // Within the grace period the open connections still work; a finishes by itself.
                assertEchoes(a, "still here");
                a.shutdownOutput();
                assertEquals(-1, a.getInputStream().read(), "a's end-of-stream comes back through the proxy");
                join(echoA, Duration.ofSeconds(10), proxy);

                // b stays open and idle: the proxy closes it when the grace period ends.
                assertClosed(b);
                join(echoB, Duration.ofSeconds(10), proxy);
            }
            JarRun.Result r = proxy.finish(Duration.ofSeconds(20));
            assertEquals(0, r.status(), r.describe());
            Matcher aborted = Pattern.compile("closed (\\d+) connection\\(s\\) still open after the grace period")
                    .matcher(r.stderr());
            assertTrue(aborted.find(), "b was closed at the end of the grace period\n" + r.describe());
            int abortedCount = Integer.parseInt(aborted.group(1));
            assertTrue(abortedCount >= 1 && abortedCount <= 1 + probesConnected, r.describe());
            Matcher s = summary(r);
            long connections = Long.parseLong(s.group(1));
            // A probe may have slipped in before the listening socket closed; the proxy counts it.
            assertTrue(connections >= 2 && connections <= 2 + probesConnected, "connections\n" + r.describe());
            long sent = 2 * 4 + 10;
            assertEquals(Long.toString(sent), s.group(2), "bytes client->upstream\n" + r.describe());
            assertEquals(Long.toString(sent), s.group(3), "bytes upstream->client\n" + r.describe());
        }
    }

    @Test
    void aFailedUpstreamConnectClosesTheClientCleanlyAndCountsAnError() throws Exception {
        int closedPort;
        try (ServerSocket s = listen()) {
            closedPort = s.getLocalPort(); // closed again at once: connecting there is refused
        }
        try (JarRun proxy = startProxy(closedPort)) {
            int port = listeningPort(proxy);
            try (Socket quiet = EchoIT.connect(port)) {
                assertEquals(-1, quiet.getInputStream().read(), "a client that sent nothing reads end-of-stream");
            }
            try (Socket eager = EchoIT.connect(port)) {
                // A client that sends at once (as HTTP clients do): its bytes sit unread in the
                // proxy's socket when the upstream fails; it must still see a clean end-of-stream.
                eager.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, eager.getInputStream().read(), "a client that sent a request reads end-of-stream");
            }
            proxy.terminate();
            JarRun.Result r = proxy.finish(Duration.ofSeconds(20));
            assertEquals(0, r.status(), r.describe());
            Matcher s = summary(r);
            assertEquals("2", s.group(1), "connections\n" + r.describe());
            assertEquals("2", s.group(4), "one error per failed upstream connect\n" + r.describe());
            String upstream = "127.0.0.1:" + closedPort;
            String line = r.stderr().lines().filter(l -> l.contains("connect to " + upstream + ": "))
                    .findFirst().orElse(null);
            assertNotNull(line, "the failure is logged as it happens\n" + r.describe());
            assertFalse(line.contains("upstream " + upstream),
                    "the library's message names the upstream; the proxy adds no second mention\n" + r.describe());
            assertFalse(r.stderr().contains("\tat "), "a refused connect is routine: no stack trace\n" + r.describe());
        }
    }

    @Test
    void severalUpstreamsFailOverInOrderOrTakeTurns() throws Exception {
        int deadPort;
        try (ServerSocket s = listen()) {
            deadPort = s.getLocalPort();
        }
        try (ServerSocket a = listen(); ServerSocket b = listen()) {
            try (JarRun proxy = startProxy(deadPort, "--upstream", "127.0.0.1:" + a.getLocalPort())) {
                // --upstream given twice: the dead one first, then a
                int port = listeningPort(proxy);
                try (Socket c = EchoIT.connect(port); Socket up = accept(a)) {
                    CompletableFuture<?> echo = echo(up);
                    assertEchoes(c, "failed over");
                    c.shutdownOutput();
                    assertEquals(-1, c.getInputStream().read());
                    join(echo, Duration.ofSeconds(10), proxy);
                }
                proxy.terminate();
                JarRun.Result r = proxy.finish(Duration.ofSeconds(20));
                assertEquals(0, r.status(), r.describe());
                assertEquals("0", summary(r).group(4), "a failover is no error for the client\n" + r.describe());
                assertTrue(r.stderr().contains(": connect to 127.0.0.1:" + deadPort + ": "), r.describe());
                assertTrue(r.stderr().contains("trying the next upstream"), r.describe());
            }
            try (JarRun proxy = JarRun.start("proxy", "--listen", "127.0.0.1:0", "--upstream",
                    "127.0.0.1:" + a.getLocalPort() + ",127.0.0.1:" + b.getLocalPort(), "--balance", "roundrobin")) {
                int port = listeningPort(proxy);
                for (ServerSocket expected : new ServerSocket[] {a, b, a, b}) {
                    try (Socket c = EchoIT.connect(port); Socket up = accept(expected)) {
                        CompletableFuture<?> echo = echo(up);
                        assertEchoes(c, "turn");
                        c.shutdownOutput();
                        assertEquals(-1, c.getInputStream().read());
                        join(echo, Duration.ofSeconds(10), proxy);
                    }
                }
                proxy.terminate();
                JarRun.Result r = proxy.finish(Duration.ofSeconds(20));
                assertEquals(0, r.status(), r.describe());
                assertEquals("4", summary(r).group(1), r.describe());
            }
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (ServerSocket upstream = listen();
             JarRun proxy = startProxy(upstream.getLocalPort(), "--idle-timeout", "500")) {
            int port = listeningPort(proxy);
            try (Socket c = EchoIT.connect(port); Socket up = accept(upstream)) {
                CompletableFuture<?> echo = echo(up);
                assertEchoes(c, "then silence");
                long t0 = System.nanoTime();
                assertClosed(c);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(ms >= 400, "closed after " + ms + " ms, before the 500 ms idle timeout");
                join(echo, Duration.ofSeconds(10), proxy);
            }
            proxy.terminate();
            assertEquals(0, proxy.finish(Duration.ofSeconds(20)).status());
        }
    }

    static ServerSocket listen() throws IOException {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        s.setSoTimeout(30_000);
        return s;
    }

    static JarRun startProxy(int upstreamPort, String... extra) throws IOException {
        String[] args = {"proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:" + upstreamPort};
        String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        return JarRun.start(all);
    }

    static int listeningPort(JarRun proxy) throws InterruptedException {
        return Integer.parseInt(proxy.awaitStdout(EchoIT.LISTENING, Duration.ofSeconds(30)).group(1));
    }

    static Socket accept(ServerSocket server) throws IOException {
        Socket s = server.accept();
        s.setSoTimeout(30_000);
        return s;
    }

    interface IoAction {
        void run() throws IOException;
    }

    /** Runs {@code connect} (which makes the proxy connect upstream) and accepts that upstream connection. */
    static Socket acceptAfter(ServerSocket server, IoAction connect) throws IOException {
        connect.run();
        return accept(server);
    }

    static Matcher summary(JarRun.Result r) {
        for (String line : r.stdoutLines()) {
            Matcher m = SUMMARY.matcher(line);
            if (m.matches()) {
                return m;
            }
        }
        return fail("no summary line\n" + r.describe());
    }

    /** Waits until {@code counter} has not moved for {@code quiet}; returns its value then. */
    static long awaitStall(AtomicLong counter, CompletableFuture<?> writer, Duration quiet, Duration max)
            throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        long last = -1;
        long since = System.nanoTime();
        while (!writer.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            long now = counter.get();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= quiet.toNanos()) {
                return now;
            }
        }
        return counter.get();
    }

    /** Copies what arrives back until end-of-stream, then half-closes (a plain echo server). */
    static CompletableFuture<?> echo(Socket s) {
        return Background.call("upstream-echo", () -> {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                }
                s.shutdownOutput();
            } catch (SocketException closedByTheProxy) {
                // the grace period's end may reset the connection: that ends this echo too
            }
            return null;
        });
    }

    static void assertEchoes(Socket s, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        s.getOutputStream().write(bytes);
        assertArrayEquals(bytes, s.getInputStream().readNBytes(bytes.length), "echo of '" + text + "'");
    }

    /** The connection ends (end-of-stream or a reset) within the socket's read timeout. */
    static void assertClosed(Socket s) throws IOException {
        try {
            assertEquals(-1, s.getInputStream().read(), "nothing more arrives, then the connection ends");
        } catch (SocketException reset) {
            // an abort is a way to end it too
        }
    }

    /**
     * Connecting becomes refused within {@code max} (the listening socket was closed).
     *
     * @return how many probes connected before that
     */
    static int awaitRefused(int port, Duration max, JarRun proxy) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        int connected = 0;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                connected++;
                Thread.sleep(50); // still accepting (or not yet closed): try again
            } catch (ConnectException refused) {
                return connected;
            } catch (IOException other) {
                Thread.sleep(50);
            }
        }
        return fail("the proxy still accepted connections " + max + " after SIGTERM\n" + proxy.describeSoFar());
    }

    /** Waits for a background step; its failure (an assertion or I/O error) becomes this test's. */
    static void join(CompletableFuture<?> f, Duration max, JarRun proxy) throws Exception {
        try {
            f.get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError(e.getCause() + "\n" + proxy.describeSoFar(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            fail("not done within " + max + "\n" + proxy.describeSoFar());
        }
    }
}
