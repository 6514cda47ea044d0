package dev.pollen.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Out of file descriptors, the way a user meets it: {@code ulimit -n 128; java -jar
 * pollen-examples.jar echo --port 0 --poller P} with the JVM's default settings and default
 * logging ({@code java.util.logging} to the console), then {@value #CLIENTS} clients — many more
 * than the server has descriptors for — connect and each sends a line. On every poller the
 * server must:
 * <ol>
 *   <li>serve the connections it could accept (their echo comes back), and keep serving them
 *       while the rest wait in the kernel's accept queue;</li>
 *   <li>not spin while full: its CPU time over {@value #CPU_WINDOW_MS} ms, read from
 *       {@code /proc/PID/stat}, stays under {@value #MAX_CPU_SHARE} of a core (a busy loop would
 *       be near 1.0; backing off costs about 0.01);</li>
 *   <li>report the accept failures at most about once a second, not once per retry, and keep
 *       its logging working (no fallback line: the logger did not fail);</li>
 *   <li>accept and serve every waiting client once descriptors are freed.</li>
 * </ol>
 * The first version of this scenario found that the server served nobody: the first report of
 * the failure went through {@code SimpleFormatter}, which opened {@code lib/tzdb.dat}, failed with
 * EMFILE, and the {@code ExceptionInInitializerError} ended the loop thread. The older child-JVM
 * test had not seen it: it installed its own exception handler, warmed every path up first, and
 * ran from class directories rather than the jar.
 */
class EmfileIT {

    /** The child's open-file limit. The JVM needs a dozen or so; the rest go to connections. */
    static final int FD_LIMIT = 128;
    /** Clients: far more than the descriptors (the server's backlog, 511, queues the rest). */
    static final int CLIENTS = 200;
    /** How long the server's CPU time is measured while it is full. */
    static final long CPU_WINDOW_MS = 2000;
    /** CPU seconds per second allowed while full: generous, a spinning loop is about 1.0. */
    static final double MAX_CPU_SHARE = 0.3;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @ParameterizedTest(name = "--poller {0}")
    @ValueSource(strings = {"nio", "epoll", "netty-epoll", "io_uring", "kqueue"})
    void outOfDescriptorsTheEchoServerKeepsServingDoesNotSpinAndRecovers(String poller)
            throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc (Linux)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash for ulimit");
        List<String> jvm = List.of();
        if (poller.equals("kqueue")) {
            jvm = kqueueProperties();
        } else {
            EchoIT.requireAvailable(poller);
        }
        try (JarRun echo = JarRun.startWithFdLimit(FD_LIMIT, jvm, "echo", "--port", "0",
                "--poller", poller);
                Clients clients = new Clients()) {
            Matcher m = echo.awaitStdout(EchoIT.LISTENING, WAIT);
            assertEquals(poller, m.group(2));
            long started = System.nanoTime();
            clients.connect(Integer.parseInt(m.group(1)), CLIENTS);
            clients.sendAll("hello\n");

            // 1. It serves what it accepted; the rest wait. Settled = no new echo for 1.5 s (15
            // back-off periods).
            Set<Integer> served = clients.awaitEchoes(Duration.ofMillis(1500), WAIT);
            assertTrue(!served.isEmpty(), "the server served none of " + CLIENTS + " clients\n"
                    + echo.describeSoFar());
            assertTrue(served.size() < CLIENTS, "never ran out of descriptors under ulimit -n "
                    + FD_LIMIT + "\n" + echo.describeSoFar());

            // 2. While full it keeps serving those, and does not spin.
            long cpu0 = echo.cpuTicks();
            long t0 = System.nanoTime();
            clients.sendTo(served, "again\n");
            Set<Integer> servedAgain = clients.awaitEchoes(Duration.ofMillis(CPU_WINDOW_MS), WAIT);
            assertTrue(servedAgain.containsAll(served), "the connections it had were served "
                    + "again while full\n" + echo.describeSoFar());
            long cpu1 = echo.cpuTicks();
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpuShare = (cpu1 - cpu0) / 100.0 / seconds;
            System.out.printf("[emfile] %s: %d of %d clients served under ulimit -n %d; while "
                    + "full %.3f CPU s per s%n", poller, served.size(), CLIENTS, FD_LIMIT, cpuShare);
            assertTrue(cpuShare < MAX_CPU_SHARE, "the server burns CPU while out of "
                    + "descriptors: " + cpuShare + " CPU s per s\n" + echo.describeSoFar());

            // 3. Free descriptors: every waiting client is accepted and its line echoed.
            clients.close(servedAgain);
            Set<Integer> waiting = new HashSet<>(clients.open());
            assertEquals(waiting, clients.awaitAll(waiting, WAIT), "waiting clients served once "
                    + "descriptors were freed\n" + echo.describeSoFar());

            // 4. What it logged: the failures, about once a second (not once per 100 ms retry),
            // through the working logger; nothing killed a thread.
            double ran = (System.nanoTime() - started) / 1e9;
            String err = echo.stderrSoFar();
            long reports = err.lines().filter(l -> l.contains("accept on 127.0.0.1:")).count();
            assertTrue(reports >= 1, "the accept failures were reported\n" + echo.describeSoFar());
            assertTrue(reports <= ran + 2, reports + " reports of accept failures in " + ran
                    + " s: more than one a second\n" + echo.describeSoFar());
            assertTrue(err.lines().noneMatch(l -> l.startsWith("pollen: loop")), "the logger "
                    + "failed and the loop fell back to plain lines\n" + echo.describeSoFar());
            assertTrue(!err.contains("Exception in thread"), echo.describeSoFar());

            echo.terminate();
            JarRun.Result r = echo.finish(WAIT);
            assertEquals(0, r.status(), "SIGTERM is a clean stop\n" + r.describe());
        }
    }

    /**
     * The two properties a user passes to run kqueue over libkqueue on Linux, taken from this
     * JVM (the build passes them with {@code -Dpollen.test.flags}); skips without them.
     */
    static List<String> kqueueProperties() {
        String library = System.getProperty("pollen.kqueue.library");
        Assumptions.assumeTrue(library != null && !library.isBlank(), "kqueue: no kqueue library "
                + "configured; run with -Dpollen.test.flags=\"-Dpollen.kqueue.library=kqueue "
                + "-Djna.library.path=DIR\" where libkqueue is installed");
        List<String> props = new ArrayList<>(List.of("-Dpollen.kqueue.library=" + library));
        String path = System.getProperty("jna.library.path");
        if (path != null && !path.isBlank()) {
            props.add("-Djna.library.path=" + path);
        }
        return props;
    }

    /** Non-blocking client connections watched by one selector; index = connection order. */
    private static final class Clients implements AutoCloseable {
        private final Selector selector = Selector.open();
        private final List<SocketChannel> channels = new ArrayList<>();
        private final List<StringBuilder> received = new ArrayList<>();
        private final List<String> expected = new ArrayList<>();

        Clients() throws IOException {
        }

        void connect(int port, int n) throws IOException {
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
            for (int i = 0; i < n; i++) {
                // blocking connect: the kernel completes it from the backlog, accepted or not
                SocketChannel c = SocketChannel.open(to);
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_READ, i);
                channels.add(c);
                received.add(new StringBuilder());
                expected.add("");
            }
        }

        void sendAll(String line) throws IOException {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < channels.size(); i++) {
                all.add(i);
            }
            sendTo(all, line);
        }

        void sendTo(java.util.Collection<Integer> which, String line) throws IOException {
            for (int i : which) {
                ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
                while (b.hasRemaining()) {
                    channels.get(i).write(b); // a few bytes: the socket buffer takes them
                }
                expected.set(i, expected.get(i) + line);
            }
        }

        /** The clients whose whole echo arrived, once none has completed for {@code quiet}. */
        Set<Integer> awaitEchoes(Duration quiet, Duration max) throws IOException {
            long deadline = System.nanoTime() + max.toNanos();
            long lastProgress = System.nanoTime();
            Set<Integer> done = complete();
            while (System.nanoTime() - lastProgress < quiet.toNanos()
                    && System.nanoTime() < deadline) {
                int before = done.size();
                pump(50);
                done = complete();
                if (done.size() != before) {
                    lastProgress = System.nanoTime();
                }
            }
            return done;
        }

        /** Waits until every client of {@code which} has its whole echo (or time runs out). */
        Set<Integer> awaitAll(Set<Integer> which, Duration max) throws IOException {
            long deadline = System.nanoTime() + max.toNanos();
            Set<Integer> done = new HashSet<>(complete());
            done.retainAll(which);
            while (!done.equals(which) && System.nanoTime() < deadline) {
                pump(50);
                done = new HashSet<>(complete());
                done.retainAll(which);
            }
            return done;
        }

        private Set<Integer> complete() {
            Set<Integer> done = new HashSet<>();
            for (int i = 0; i < channels.size(); i++) {
                if (channels.get(i).isOpen() && !expected.get(i).isEmpty()
                        && received.get(i).toString().equals(expected.get(i))) {
                    done.add(i);
                }
            }
            return done;
        }

        private void pump(long timeoutMs) throws IOException {
            selector.select(timeoutMs);
            ByteBuffer buf = ByteBuffer.allocate(256);
            for (SelectionKey k : selector.selectedKeys()) {
                int i = (Integer) k.attachment();
                SocketChannel c = (SocketChannel) k.channel();
                buf.clear();
                int n;
                try {
                    n = c.read(buf);
                } catch (IOException reset) {
                    n = -1;
                }
                if (n < 0) {
                    fail("the server closed or reset client " + i + ", which it should serve "
                            + "(received so far: '" + received.get(i) + "')");
                }
                received.get(i).append(new String(buf.array(), 0, n, StandardCharsets.US_ASCII));
            }
            selector.selectedKeys().clear();
        }

        void close(Set<Integer> which) throws IOException {
            for (int i : which) {
                channels.get(i).close();
            }
        }

        Set<Integer> open() {
            Set<Integer> open = new HashSet<>();
            for (int i = 0; i < channels.size(); i++) {
                if (channels.get(i).isOpen()) {
                    open.add(i);
                }
            }
            return open;
        }

        @Override
        public void close() throws IOException {
            for (SocketChannel c : channels) {
                c.close();
            }
            selector.close();
        }
    }
}
