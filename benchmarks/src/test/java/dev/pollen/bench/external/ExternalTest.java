package dev.pollen.bench.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.bench.report.Targets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The external harness's logic that needs no servers: cell names, the rotation of the rounds,
 * the medians and per-round ratios, the targets, reading the kernel's CPU accounting, and the
 * results files written from a run's JSON.
 */
class ExternalTest {

    @Test
    void proxyNamesIncludeTheSpliceVariantsAndRejectOthersSayingWhich() {
        ProxyRace.checkNames(List.of("haproxy", "haproxy+splice", "pollen:epoll",
                "pollen:epoll+copy", "pollen:io_uring+pipe=1048576"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProxyRace.checkNames(List.of("haproxy", "nginx")));
        assertTrue(e.getMessage().startsWith("unknown proxy 'nginx': use haproxy, haproxy+splice, "
                + "pollen:<poller>, pollen:<poller>+copy or pollen:<poller>+<name>=<value>"),
                e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ProxyRace.checkNames(List.of("pollen:epoll+fast")));
        assertTrue(bad.getMessage().contains("+<name>=<value>"), bad.getMessage());
    }

    @Test
    void variantSuffixesBecomePollenPropertiesAndNonsenseIsRefused() {
        EchoRace.checkNames(List.of("c:epoll", "c:io_uring",
                "pollen:io_uring+io_uring.send=ring+io_uring.recv=ahead"));
        assertEquals("io_uring", Setup.poller("pollen:io_uring+io_uring.send=ring"));
        assertEquals("epoll", Setup.poller("pollen:epoll"));
        assertEquals(List.of("io_uring.send=ring", "io_uring.recv=ahead"),
                Setup.variantSuffixes("pollen:io_uring+io_uring.send=ring+io_uring.recv=ahead"));
        assertEquals(List.of(), Setup.variantSuffixes("pollen:nio"));
        assertEquals("-Dpollen.io_uring.send=ring", Setup.propertyFlag("io_uring.send=ring"));
        for (String bad : List.of("pollen:epoll+ring", "pollen:epoll+=x", "pollen:epoll+x=")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EchoRace.checkNames(List.of(bad)), bad);
            assertTrue(e.getMessage().contains("-Dpollen.<name>=<value>"), e.getMessage());
        }
    }

    @Test
    void echoCellsParseAndRejectNonsense() {
        assertEquals("64 conns × 64 B", EchoRace.cell("64x64").label());
        assertEquals("16 conns × 16 KiB, 4 in flight", EchoRace.cell("16x16384x4").label());
        assertEquals("16 conns × 16 KiB, 4 in flight", EchoRace.cell("16x16kx4").label());
        assertEquals("1 conn × 100 B", EchoRace.cell("1x100").label());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EchoRace.cell("64by64"));
        assertTrue(e.getMessage().contains("CONNSxSIZE[xDEPTH]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EchoRace.cell("0x64"));
    }

    @Test
    void proxyCellsParseAndRejectNonsense() {
        assertEquals("HTTP, 1000 conns", ProxyRace.cell("http-1000").label());
        assertEquals("redis GET, 50 clients", ProxyRace.cell("redis-get").label());
        assertEquals("redis SET, 8 clients", ProxyRace.cell("redis-set-8").label());
        assertEquals("MiB", ProxyRace.cell("bulk").unit());
        assertEquals("request", ProxyRace.cell("http-50").unit());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProxyRace.cell("http"));
        assertTrue(e.getMessage().contains("http-<conns>"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProxyRace.cell("memcached"));
    }

    @Test
    void roundsRotateTheOrderAndRecordFailures() {
        assertEquals(List.of("b", "c", "a"), Rounds.rotate(List.of("a", "b", "c"), 1));
        assertEquals(List.of("a", "b", "c"), Rounds.rotate(List.of("a", "b", "c"), 3));
        List<String> seen = new ArrayList<>();
        Cell cell = EchoRace.cell("2x64");
        List<Sample> samples = Rounds.run(2, List.of(cell), List.of("x", "y"),
                (c, who, round, position) -> {
                    seen.add(round + who + position);
                    if (who.equals("y") && round == 2) {
                        throw new IllegalStateException("y broke");
                    }
                    return sample(round, who, 100, 1_000_000);
                }, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        assertEquals(List.of("1x1", "1y2", "2y1", "2x2"), seen);
        assertEquals(4, samples.size());
        Sample failed = samples.get(2);
        assertEquals(1, failed.errors());
        assertEquals("y broke", failed.firstError());
    }

    @Test
    void summariesTakeMediansAndRatiosRoundByRound() {
        List<Sample> samples = List.of(
                // round 1: the machine is fast; round 2: everything is 2x slower; round 3 fast
                sample(1, "c:epoll", 1000, 1_000_000), sample(1, "pollen:epoll", 1000, 900_000),
                sample(2, "c:epoll", 1000, 2_000_000), sample(2, "pollen:epoll", 1000, 1_800_000),
                sample(3, "c:epoll", 1000, 1_000_000), sample(3, "pollen:epoll", 1000, 1_000_000),
                Sample.failed(3, 1, "2x64", "netty:epoll", "did not start"));
        List<Cell> cells = List.of(EchoRace.cell("2x64"));
        List<Summary> s = Summary.of(cells, List.of("c:epoll", "pollen:epoll", "netty:epoll"),
                "c:epoll", samples);
        assertEquals(3, s.size());
        Summary pollen = s.get(1);
        assertEquals(1000.0, pollen.cpuNanosPerUnit().median(), 1e-9); // of 900, 1800, 1000
        assertEquals(900.0, pollen.cpuNanosPerUnit().min(), 1e-9);
        assertEquals(1800.0, pollen.cpuNanosPerUnit().max(), 1e-9);
        // paired by round: 0.9, 0.9, 1.0 (the ratio of the medians would say 1000/1000 = 1.0)
        assertEquals(0.9, pollen.ratio().median(), 1e-9);
        assertEquals(1.0, pollen.ratio().max(), 1e-9);
        Summary netty = s.get(2);
        assertEquals(0, netty.rounds());
        assertEquals(1, netty.errors());
        assertNull(netty.cpuNanosPerUnit());
        assertEquals(2.5, Summary.Spread.of(4, 1, 2, 3, Double.NaN).median(), 1e-9);
    }

    @Test
    void targetsAreJudgedOnTheMedianRatios() {
        List<Cell> cells = List.of(EchoRace.cell("2x64"));
        List<Sample> samples = List.of(
                sample(1, "c:epoll", 1000, 1_000_000), sample(1, "pollen:epoll", 1000, 1_100_000),
                sample(1, "pollen:netty-epoll", 1000, 940_000),
                sample(1, "netty:epoll", 1000, 1_200_000));
        List<String> who = List.of("c:epoll", "pollen:epoll", "pollen:netty-epoll", "netty:epoll");
        Part p = part("echo", "c:epoll", cells, who, samples);
        List<Targets.Check> checks = ExternalReport.targets(p);
        assertEquals("MET", status(checks, "best Pollen poller"), "0.94 <= 0.95");
        assertEquals("MISSED", status(checks, "Pollen epoll"), "1.10 > 1.05");
        assertEquals("MET", status(checks, "p99"), "the samples' p99 are equal");

        List<Sample> withVariant = new java.util.ArrayList<>(samples);
        withVariant.add(sample(1, "pollen:epoll+x.y=z", 1000, 800_000));
        List<String> whoAndVariant = new java.util.ArrayList<>(who);
        whoAndVariant.add("pollen:epoll+x.y=z");
        assertEquals("pollen:netty-epoll 0.94×", measured(ExternalReport.targets(part("echo",
                "c:epoll", cells, whoAndVariant, withVariant)), "best Pollen poller"),
                "an opt-in variant (0.80) is shown, not judged");

        List<Sample> noFloor = List.of(sample(1, "pollen:epoll", 1000, 1_100_000),
                new Sample(1, 2, "2x64", "netty:epoll", 1000, 1, 1_200_000, 0, 50.0, 90.0, 200.0,
                        0, null));
        List<Targets.Check> withoutFloor = ExternalReport.targets(part("echo", "c:epoll", cells,
                List.of("pollen:epoll", "netty:epoll"), noFloor));
        assertEquals("NOT MEASURED", status(withoutFloor, "best Pollen poller"), "no C floor");
        assertEquals("MISSED", status(withoutFloor, "p99"), "100 µs > Netty's 90 µs, floor or not");

        List<Cell> proxyCells = List.of(ProxyRace.cell("http-50"), ProxyRace.cell("bulk"));
        List<Sample> proxied = List.of(
                new Sample(1, 1, "http-50", "haproxy", 1000, 1, 1_000_000, 0, 1.0, 2.0, 3.0, 0, null),
                new Sample(1, 2, "http-50", "pollen:epoll", 1000, 1, 990_000, 0, 1.0, 2.0, 3.0, 0, null),
                new Sample(1, 1, "bulk", "haproxy", 100, 1, 1_000_000, 0, 1.0, 2.0, 3.0, 0, null),
                new Sample(1, 2, "bulk", "pollen:epoll", 100, 1, 700_000, 0, 1.0, 2.0, 3.0, 0, null));
        List<Targets.Check> proxyChecks = ExternalReport.targets(part("proxy", "haproxy",
                proxyCells, List.of("haproxy", "pollen:epoll"), proxied));
        assertEquals("MET", status(proxyChecks, "CPU per request"), "0.99 <= 1");
        assertEquals("MISSED", status(proxyChecks, "bulk"), "1/0.7 = 1.43x < 1.5x");
    }

    @Test
    void readsThisProcesssCpuTimeFromTheKernel() {
        CpuTime before = CpuTime.of(ProcessHandle.current().pid());
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        long x = 0;
        while (threads.getCurrentThreadCpuTime() - start < 200_000_000L) {
            x += System.nanoTime() % 7; // 0.2 s of this thread's CPU, however busy the machine
        }
        CpuTime used = CpuTime.of(ProcessHandle.current().pid()).minus(before);
        // the process's total holds this thread's 0.2 s; /proc counts in ticks (10 ms)
        assertTrue(used.totalNanos() >= 200_000_000L - 2 * CpuTime.TICK_NANOS,
                "0.2 s of this thread's CPU shows in the process's, got " + used + " (" + x + ")");
        IllegalStateException gone = assertThrows(IllegalStateException.class,
                () -> CpuTime.of(Long.MAX_VALUE));
        assertTrue(gone.getMessage().contains("/proc"), gone.getMessage());
    }

    @Test
    void writesJsonMarkdownAndChartsAndRendersThemAgain(@TempDir Path dir) throws Exception {
        List<Cell> cells = List.of(EchoRace.cell("64x64"));
        List<String> who = List.of("c:epoll", "pollen:epoll");
        Part echo = part("echo", "c:epoll", cells, who, List.of(
                sample("64x64", 1, "c:epoll", 1000, 5_000_000),
                sample("64x64", 1, "pollen:epoll", 1000, 4_000_000),
                Sample.failed(2, 1, "64x64", "pollen:epoll", "loadgen saw a wrong byte")));
        ExternalReport.write(dir, echo);
        Files.delete(dir.resolve(ExternalReport.MARKDOWN));
        List<Part> again = ExternalReport.render(dir); // from the JSON alone
        assertEquals(1, again.size());
        assertEquals(echo.samples(), again.get(0).samples());
        String md = Files.readString(dir.resolve(ExternalReport.MARKDOWN));
        assertTrue(md.contains("| 64 conns × 64 B | pollen:epoll | 4.00 µs (4.00 µs–4.00 µs) | "
                + "0.80 (0.80–0.80) |"), md);
        assertTrue(md.contains("round 2, 64 conns × 64 B, pollen:epoll: loadgen saw a wrong byte"),
                md);
        assertTrue(md.contains("![Server CPU per echoed message ÷ the C floor's](echo.svg)"), md);
        assertTrue(Files.readString(dir.resolve("echo.svg")).contains("pollen:epoll"));
        assertNotNull(javax.imageio.ImageIO.read(dir.resolve("echo.png").toFile()));
    }

    private static Part part(String name, String reference, List<Cell> cells, List<String> who,
                             List<Sample> samples) {
        return new Part(name, "2026-01-01 00:00", "test machine", "25", reference,
                new Part.Settings(1, 1, 1, 1, 0, "test client", List.of("-Xmx1g")), cells, who,
                List.of(), samples, Summary.of(cells, who, reference, samples));
    }

    private static Sample sample(int round, String who, double messages, long cpuNanos) {
        return sample("2x64", round, who, messages, cpuNanos);
    }

    private static Sample sample(String cell, int round, String who, double messages,
                                 long cpuNanos) {
        return new Sample(round, 1, cell, who, messages, 1.0, cpuNanos, 0, 50.0, 100.0, 200.0, 0,
                null);
    }

    private static String status(List<Targets.Check> checks, String part) {
        return check(checks, part).status();
    }

    private static String measured(List<Targets.Check> checks, String part) {
        return check(checks, part).measured();
    }

    private static Targets.Check check(List<Targets.Check> checks, String part) {
        for (Targets.Check c : checks) {
            if (c.target().contains(part)) {
                return c;
            }
        }
        throw new AssertionError("no target containing '" + part + "': " + checks);
    }
}
