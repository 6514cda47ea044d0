package dev.pollen.bench.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The external harness's smoke mode, run the way a user runs it ({@code benchmarks/external/run.sh}
 * against the shaded benchmarks jar): the C floor, Pollen and Netty each in a pinned process of
 * their own under the C load generator, one short round. It proves that the processes start,
 * the load generator's echoes check out, the kernel's CPU accounting is read around the window,
 * and the results files are written; it asserts nothing about speed.
 */
class ExternalSmokeIT {

    @Test
    void smokeRunMeasuresEveryServerAndWritesTheResults(@TempDir Path out) throws Exception {
        Path root = root();
        assumeTrue(Tools.find("cc") != null, "no C compiler (cc) on this machine: the smoke run "
                + "would have no C floor and needs the examples jar for its Java load generator");
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "the harness reads Linux's /proc");
        Path log = out.resolve("run.log");
        Process p = new ProcessBuilder("bash", root.resolve("benchmarks/external/run.sh").toString(),
                "echo", "--smoke", "--servers", "c:epoll,c:io_uring,pollen:epoll,netty:epoll",
                "--echo-cells", "8x64", "--warmup", "0.5", "--seconds", "1",
                "--out", out.toString())
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean done = p.waitFor(240, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String printed = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(done, "the smoke run did not finish in 240 s:\n" + printed);
        assertEquals(0, p.exitValue(), printed);

        Part echo = ExternalReport.read(out.resolve("echo.json"));
        // the C io_uring server runs where its own --check passes, else a note says why not
        Process check = new ProcessBuilder(root.resolve(
                "benchmarks/target/external-bin/uring-echo-server").toString(), "--check")
                .redirectErrorStream(true).start();
        String said = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(10, TimeUnit.SECONDS), said);
        List<String> expected = check.exitValue() == 0
                ? List.of("c:epoll", "c:io_uring", "pollen:epoll", "netty:epoll")
                : List.of("c:epoll", "pollen:epoll", "netty:epoll");
        assertEquals(expected, echo.contestants(), printed);
        if (check.exitValue() != 0) {
            assertTrue(echo.notes().contains("skipped c:io_uring: " + said.strip()),
                    echo.notes().toString());
        }
        assertEquals(expected.size(), echo.samples().size(), printed);
        for (Sample s : echo.samples()) {
            assertTrue(s.valid() && s.units() > 100, "echoes counted: " + s);
            assertTrue(s.userNanos() + s.systemNanos() > 0, "server CPU read from /proc: " + s);
            assertTrue(s.p99Us() != null && s.p99Us() >= s.p50Us() && s.p50Us() > 0,
                    "latencies: " + s);
        }
        assertEquals(1.0, echo.summary().get(0).ratio().median(), 1e-9, "the floor against itself");
        String md = read(out.resolve(ExternalReport.MARKDOWN));
        assertTrue(md.contains("| 8 conns × 64 B | pollen:epoll |"), md);
        assertTrue(Files.size(out.resolve("echo.svg")) > 0 && Files.size(out.resolve("echo.png")) > 0);
    }

    @Test
    void loadGeneratorCatchesAnEchoThatDiffers(@TempDir Path dir) throws Exception {
        Path root = root();
        assumeTrue(Tools.find("cc") != null, "no C compiler (cc): no C load generator to test");
        Path loadgen = compile(root, dir, "loadgen");

        // an echo server that flips one byte after the first 1,000 bytes it has echoed
        try (ServerSocket listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = listener.accept()) {
                    byte[] buf = new byte[4096];
                    long echoed = 0;
                    for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
                        for (int i = 0; i < n; i++, echoed++) {
                            if (echoed == 1_000) {
                                buf[i] ^= 0x40;
                            }
                        }
                        s.getOutputStream().write(buf, 0, n);
                    }
                } catch (IOException expectedWhenTheClientGivesUp) {
                    // the load generator closes the connection on the wrong byte
                }
            });
            Process lg = new ProcessBuilder(loadgen.toString(), "--port",
                    Integer.toString(listener.getLocalPort()), "--conns", "1", "--size", "64",
                    "--warmup", "0", "--seconds", "1").redirectErrorStream(true).start();
            String out = new String(lg.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(lg.waitFor(30, TimeUnit.SECONDS), out);
            assertEquals(1, lg.exitValue(), "a wrong byte fails the run: " + out);
            assertTrue(out.contains("\"errors\":1") && out.contains("message 15: an echoed byte "
                    + "differs from what was sent"), "byte 1,000 is in message 15 (64 B each): "
                    + out);
            server.join(5_000);
        }
    }

    @Test
    void completionFloorEchoesEveryByteInOrderAndLeavesWithItsHarness(@TempDir Path dir)
            throws Exception {
        Path root = root();
        assumeTrue(Tools.find("cc") != null, "no C compiler (cc): no C io_uring server to test");
        Path server = compile(root, dir, "uring-echo-server");
        Path loadgen = compile(root, dir, "loadgen");
        Process check = new ProcessBuilder(server.toString(), "--check").redirectErrorStream(true)
                .start();
        String said = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(10, TimeUnit.SECONDS), said);
        assumeTrue(check.exitValue() == 0, "io_uring cannot run here: " + said.strip());

        Process srv = new ProcessBuilder(server.toString(), "--port", "0").start();
        try {
            String first = new BufferedReader(new InputStreamReader(
                    srv.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(first != null && first.startsWith("listening 127.0.0.1:"), "" + first);
            String port = first.substring(first.lastIndexOf(':') + 1);
            // a client that sends 4 MiB without reading, then resets: its queued echo is dropped
            // and the server goes on (the cells below run after it)
            try (Socket rude = new Socket(InetAddress.getLoopbackAddress(),
                    Integer.parseInt(port))) {
                rude.getOutputStream().write(new byte[4 << 20]);
                rude.setSoLinger(true, 0);
            }
            // bulk with 4 in flight queues several buffers per connection (order, short sends);
            // 300 small connections exercise the multishot accept and receives
            for (String[] cell : List.of(new String[] {"16", "16384", "4"},
                    new String[] {"300", "64", "1"})) {
                Process lg = new ProcessBuilder(loadgen.toString(), "--port", port, "--conns",
                        cell[0], "--size", cell[1], "--depth", cell[2], "--warmup", "0",
                        "--seconds", "1").redirectErrorStream(true).start();
                String out = new String(lg.getInputStream().readAllBytes(),
                        StandardCharsets.UTF_8);
                assertTrue(lg.waitFor(30, TimeUnit.SECONDS), out);
                assertEquals(0, lg.exitValue(), String.join("x", cell) + ": " + out);
                assertTrue(out.contains("\"errors\":0") && !out.contains("\"messages\":0,"),
                        out);
            }
            srv.getOutputStream().close(); // the harness went away: the server must follow
            assertTrue(srv.waitFor(10, TimeUnit.SECONDS), "still running after stdin closed");
            assertEquals(0, srv.exitValue());
        } finally {
            srv.destroyForcibly();
        }
    }

    @Test
    void aServerIsKeptUpBetweenTrialsStartedAgainWhenItDiedAndStoppedAtTheEnd(@TempDir Path dir)
            throws Exception {
        Path root = root();
        assumeTrue(Tools.find("cc") != null, "no C compiler (cc): no C echo server to run");
        compile(root, dir, "echo-server");
        compile(root, dir, "loadgen");
        Setup setup = new Setup(dir, -1, -1, 1, 0.2, 0.5, "java", List.of(), "", dir, null,
                new PrintStream(OutputStream.nullOutputStream()));
        Cell cell = EchoRace.cell("4x64");
        long first;
        long second;
        try (EchoRace race = new EchoRace(setup)) {
            assertTrue(race.trial(cell, "c:epoll", 1, 1).valid());
            first = race.pid("c:epoll");
            assertTrue(race.trial(cell, "c:epoll", 2, 1).valid());
            assertEquals(first, race.pid("c:epoll"), "the same process serves the next trial");

            ProcessHandle dead = ProcessHandle.of(first).orElseThrow();
            dead.destroyForcibly();
            dead.onExit().get(10, TimeUnit.SECONDS);
            Sample after = race.trial(cell, "c:epoll", 3, 1);
            assertTrue(after.valid() && after.units() > 0, "after a restart: " + after);
            second = race.pid("c:epoll");
            assertTrue(second != first && second > 0, first + " then " + second);
        }
        ProcessHandle left = ProcessHandle.of(second).orElse(null);
        if (left != null) {
            left.onExit().get(15, TimeUnit.SECONDS); // close() stops it: stdin closed, SIGTERM
        }
    }

    private static Path root() {
        return Path.of(System.getProperty("pollen.repo.root", "..")).toAbsolutePath().normalize();
    }

    private static Path compile(Path root, Path dir, String name) throws Exception {
        Path bin = dir.resolve(name);
        Process cc = new ProcessBuilder("cc", "-O2", "-Wall", "-Wextra", "-o", bin.toString(),
                root.resolve("benchmarks/external/c/" + name + ".c").toString())
                .redirectErrorStream(true).start();
        String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, cc.waitFor(), out);
        assertEquals("", out.strip(), "warnings in " + name + ".c");
        return bin;
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
