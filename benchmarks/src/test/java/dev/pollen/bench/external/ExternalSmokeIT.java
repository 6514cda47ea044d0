package dev.pollen.bench.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
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
        Path root = Path.of(System.getProperty("pollen.repo.root", "..")).toAbsolutePath()
                .normalize();
        assumeTrue(Tools.find("cc") != null, "no C compiler (cc) on this machine: the smoke run "
                + "would have no C floor and needs the examples jar for its Java load generator");
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "the harness reads Linux's /proc");
        Path log = out.resolve("run.log");
        Process p = new ProcessBuilder("bash", root.resolve("benchmarks/external/run.sh").toString(),
                "echo", "--smoke", "--servers", "c:epoll,pollen:epoll,netty:epoll",
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
        assertEquals(List.of("c:epoll", "pollen:epoll", "netty:epoll"), echo.contestants());
        assertEquals(3, echo.samples().size(), printed);
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

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
