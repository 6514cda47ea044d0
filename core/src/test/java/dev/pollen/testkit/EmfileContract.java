package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.spi.Poller;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * EMFILE on accept, for real: a child JVM runs an echo server ({@link EmfileServerMain}) on this
 * backend under a low open-file limit, and this test connects until the child runs out of
 * descriptors. Then the server must (1) keep serving the connections it has, (2) not spin — its
 * loop iterations and its CPU time over a second of EMFILE stay small — and (3) accept the waiting
 * connection once descriptors are freed.
 *
 * <p>The spin check counts loop iterations (a spinning loop makes thousands per second even when
 * a loaded machine gives it little CPU) and also bounds the child's CPU time from
 * {@code /proc/<pid>/stat}, generously: this is a test of not spinning, not of speed.
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class EmfileContract extends BackendFixture {

    /** The child's descriptor limit: the JVM needs a few dozen, the rest go to connections. */
    static final int FD_LIMIT = 96;
    /** Loop iterations per second allowed during EMFILE: ~10 stats + ~10 back-off timers. */
    static final long MAX_ITERATIONS_PER_SECOND = 300;
    /** CPU seconds per wall second allowed during EMFILE (spinning would be about 1.0). */
    static final double MAX_CPU_SHARE = 0.5;

    private final Map<String, Long> stats = new ConcurrentHashMap<>();
    private final List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());

    @Test
    void underEmfileTheServerKeepsServingDoesNotSpinAndResumesAccepting() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc (Linux)");
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs /bin/bash for ulimit");
        String pollerName;
        try (Poller p = newPoller()) {
            pollerName = p.name();
        }
        String java = ProcessHandle.current().info().command().orElseThrow();
        String cmd = "ulimit -n " + FD_LIMIT + " && exec '" + java + "'"
                + " --add-exports java.base/jdk.internal.vm=ALL-UNNAMED"
                + " --enable-native-access=ALL-UNNAMED -Xmx64m -XX:+UseSerialGC"
                + " -XX:TieredStopAtLevel=1" + forwardedProperties()
                + " -cp '" + System.getProperty("java.class.path") + "' "
                + EmfileServerMain.class.getName() + " " + pollerName;
        Process child = new ProcessBuilder("/bin/bash", "-c", cmd).redirectErrorStream(true)
                .start();
        List<Socket> sockets = new ArrayList<>();
        try {
            Thread reader = new Thread(() -> readOutput(child), "emfile-child-output");
            reader.setDaemon(true);
            reader.start();
            int port = (int) await("PORT", 30);

            // 1. Connect far more than the child has descriptors for: the kernel completes them
            // all (the backlog is 256), the child accepts until EMFILE, the rest wait in the
            // accept queue, in order.
            for (int i = 0; i < 2 * FD_LIMIT; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.setSoTimeout(10_000);
                sockets.add(s);
            }
            // Settled: two back-offs in a row with no new connection. (One back-off alone may be
            // a passing shortage: the JVM holds a descriptor for a moment to load a class.)
            long served;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                long c0 = stat("connections");
                long b = stat("backoffs");
                waitFor(() -> stat("backoffs") >= b + 2, "back-offs");
                if (stat("connections") == c0 && c0 > 0) {
                    served = c0;
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "accepting never settled: " + stats);
            }
            assertTrue(served < sockets.size(), "never ran out of descriptors under ulimit -n "
                    + FD_LIMIT + ": " + output);
            Socket pending = sockets.get((int) served); // the first one still in the queue

            // 2. It keeps serving what it has, and does not spin.
            long b0 = stat("backoffs");
            long it0 = stat("iterations");
            long cpu0 = cpuTicks(child.pid());
            long t0 = System.nanoTime();
            echo(sockets.get(0));
            Thread.sleep(1000);
            echo(sockets.get((int) served - 1));
            long it1 = stat("iterations");
            long cpu1 = cpuTicks(child.pid());
            double seconds = (System.nanoTime() - t0) / 1e9;
            double iterationsPerSecond = (it1 - it0) / seconds;
            double cpuShare = (cpu1 - cpu0) / (double) CLOCK_TICKS / seconds;
            System.out.printf("[emfile] %s: %d connections served under ulimit -n %d; during "
                    + "EMFILE %.0f loop iterations/s, %.3f CPU s per s, %d back-offs/s%n",
                    pollerName, served, FD_LIMIT, iterationsPerSecond, cpuShare,
                    Math.round((stat("backoffs") - b0) / seconds));
            assertTrue(iterationsPerSecond < MAX_ITERATIONS_PER_SECOND,
                    "the loop spins during EMFILE: " + iterationsPerSecond + " iterations/s");
            assertTrue(cpuShare < MAX_CPU_SHARE, "the child burns CPU during EMFILE: "
                    + cpuShare + " CPU s per s");
            assertEquals(served, stat("connections"), "connections were lost during EMFILE");

            // 3. Free descriptors: the waiting connection is accepted and served.
            for (int i = 0; i < 4; i++) {
                sockets.get(i).close();
            }
            echo(pending);
        } finally {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            child.getOutputStream().close();
            if (!child.waitFor(20, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        assertTrue(output.stream().noneMatch(l -> l.startsWith("ERROR")), "child errors: "
                + output.stream().filter(l -> l.startsWith("ERROR")).toList());
    }

    /**
     * The test JVM's {@code pollen.*} and {@code jna.library.path} system properties as
     * {@code -D} flags, so the child loads its poller as this JVM does (e.g.
     * {@code -Dpollen.kqueue.library=kqueue -Djna.library.path=DIR} for kqueue over libkqueue).
     * Not all of {@code jna.*}: JNA sets some of those itself once loaded. Quoted for bash.
     */
    static String forwardedProperties() {
        StringBuilder flags = new StringBuilder();
        for (String name : new java.util.TreeSet<>(System.getProperties().stringPropertyNames())) {
            String value = System.getProperty(name);
            if ((name.startsWith("pollen.") || name.equals("jna.library.path")) && !value.isBlank()) {
                flags.append(" '-D").append(name.replace("'", "'\\''")).append('=')
                        .append(value.replace("'", "'\\''")).append('\'');
            }
        }
        return flags.toString();
    }

    /** USER_HZ: the unit of /proc/[pid]/stat's utime and stime (100 on every Linux we run). */
    private static final int CLOCK_TICKS = 100;

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // The command name (field 2) may hold spaces: split after its closing parenthesis.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    }

    private static void echo(Socket s) throws IOException {
        s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
        byte[] buf = new byte[4];
        int got = 0;
        try {
            while (got < 4) {
                int n = s.getInputStream().read(buf, got, 4 - got);
                if (n < 0) {
                    fail("the server closed a connection it should serve");
                }
                got += n;
            }
        } catch (SocketTimeoutException e) {
            fail("no echo within 10 s", e);
        }
        assertEquals("ping", new String(buf, StandardCharsets.US_ASCII));
    }

    private void readOutput(Process child) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("PORT ")) {
                    stats.put("PORT", Long.parseLong(line.substring(5).trim()));
                } else if (line.startsWith("STATS ")) {
                    for (String kv : line.substring(6).split(" ")) {
                        int eq = kv.indexOf('=');
                        stats.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
                    }
                } else {
                    output.add(line);
                }
            }
        } catch (IOException ignored) {
            // the child is gone
        }
    }

    private long stat(String key) {
        return stats.getOrDefault(key, 0L);
    }

    private long await(String key, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!stats.containsKey(key)) {
            assertTrue(System.nanoTime() < deadline, "the child did not report " + key + ": "
                    + output);
            Thread.sleep(10);
        }
        return stats.get(key);
    }

    private void waitFor(java.util.function.BooleanSupplier c, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + ": "
                    + output + " " + stats);
            Thread.sleep(10);
        }
    }
}
