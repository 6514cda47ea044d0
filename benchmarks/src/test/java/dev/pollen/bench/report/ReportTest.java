package dev.pollen.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results step on synthetic JMH output: parsing, the target checks, the files it writes. */
class ReportTest {

    @Test
    void readsJmhResultEntries() {
        List<Run> runs = Run.parse(jmh(echo("pollen:epoll", 64, 16384, 100_000, 0.5e9, 0),
                simple("LoopBench.callSoon", "thrpt", "{}", 25e6, "ops/s")));
        assertEquals(2, runs.size());
        Run echo = runs.get(0);
        assertEquals("EchoBench.pingPong", echo.shortName());
        assertEquals("pollen:epoll", echo.param("server"));
        assertEquals("connections=64, server=pollen:epoll, size=16384", echo.paramText());
        assertEquals(100_000.0, echo.secondary().get("messages").score());
        assertTrue(Double.isNaN(echo.primary().error()), "JMH writes a missing error as \"NaN\"");
        assertEquals(List.of("-Xmx1g"), echo.jvmArgs());
        assertEquals("1.37", echo.jmhVersion());
        assertEquals("2 x 1 s", echo.warmup());
        assertEquals(25e6, runs.get(1).opsPerSecond(), 1e-3);
    }

    @Test
    void rejectsBrokenJsonSayingWhere() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Run.parse("[{\"a\": 1,}]"));
        assertTrue(e.getMessage().contains("not valid JSON") && e.getMessage().contains("column: 10"),
                e.getMessage());
        IllegalArgumentException notArray = assertThrows(IllegalArgumentException.class,
                () -> Run.parse("{\"benchmark\": \"x\"}"));
        assertTrue(notArray.getMessage().contains("JSON array"), notArray.getMessage());
    }

    @Test
    void convertsUnits() {
        assertEquals(50.0, Units.nanosPerOp(new Run.Metric(20e6, Double.NaN, "ops/s")), 1e-9);
        assertEquals(1500.0, Units.nanosPerOp(new Run.Metric(1.5, Double.NaN, "us/op")), 1e-9);
        assertEquals(100.0, Units.nanosPerOp(new Run.Metric(1e4, Double.NaN, "ops/ms")), 1e-9);
    }

    @Test
    void checksEveryTargetAsARatioInsideTheRun() {
        List<Run> runs = Run.parse(jmh(
                echo("pollen:epoll", 64, 64, 100_000, 0.5e9, 0),
                echo("pollen:nio", 64, 64, 100_000, 0.7e9, 300_000),
                echo("netty:epoll", 64, 64, 100_000, 0.6e9, 2_000_000),
                echo("pollen:epoll", 1, 64, 20_000, 0.3e9, 0),
                echo("netty:epoll", 1, 64, 20_000, 0.2e9, 0),
                simple("LoopBench.callSoon", "thrpt", "{}", 25e6, "ops/s"),
                simple("LoopBench.timerScheduleCancel", "avgt", "{\"pending\": \"1000\"}", 40,
                        "ns/op"),
                simple("LoopBench.timerScheduleCancel", "avgt", "{\"pending\": \"1000000\"}", 90,
                        "ns/op"),
                simple("TaskBench.yieldCycle", "avgt", "{\"tasks\": \"100\"}", 0.15, "us/op")));
        List<Targets.Check> checks = Targets.check(runs, EchoRow.of(runs));

        assertEquals("MET", status(checks, "(64 conns, 64 B)"), "5.0 µs vs 6.0 µs");
        assertEquals("MISSED", status(checks, "(1 conn, 64 B)"), "15 µs vs 10 µs");
        assertEquals("MET", status(checks, "callSoon"));
        assertEquals("MISSED", status(checks, "timer schedule+cancel"), "90/40 = 2.25x");
        assertEquals("MET", status(checks, "TaskBench.yieldCycle"), "150 ns");
        assertEquals("MET", status(checks, ", pollen:epoll"), "0 B/msg");
        assertEquals("MISSED", status(checks, ", pollen:nio"), "3 B/msg");
    }

    @Test
    void saysNotMeasuredWhenAResultIsMissing() {
        List<Run> runs = Run.parse(jmh(
                simple("LoopBench.callSoon", "thrpt", "{}", 15e6, "ops/s")));
        List<Targets.Check> checks = Targets.check(runs, EchoRow.of(runs));
        assertEquals("MISSED", status(checks, "callSoon"));
        assertEquals("NOT MEASURED", status(checks, "timer schedule+cancel"));
        assertEquals("NOT MEASURED", status(checks, "await/resume"));
        assertEquals("NOT MEASURED", status(checks, "Netty epoll"));
    }

    @Test
    void writesMarkdownAndAWellFormedChart(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("results.json");
        Files.writeString(json, jmh(
                echo("pollen:epoll", 1, 16384, 20_000, 0.3e9, 0),
                echo("netty:epoll", 1, 16384, 20_000, 0.2e9, 400_000),
                echo("netty:nio", 1, 16384, 20_000, 0.2e9, 400_000),
                simple("LoopBench.callSoon", "thrpt", "{}", 25e6, "ops/s")));
        Report.main(new String[] {json.toString(), dir.toString()});

        String md = Files.readString(dir.resolve(Report.MARKDOWN));
        assertTrue(md.contains("| 1 conn, 16 KiB | pollen:epoll | 20.0k | 15.0 µs | 1.50 |"), md);
        assertTrue(md.contains("**MISSED**"), md);
        assertTrue(md.contains("[results.json](results.json)"), md);
        byte[] svg = Files.readAllBytes(dir.resolve(Report.CHART));
        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        // the SVG names the W3C DTD; a well-formedness check needs no network
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        var chart = xml.newDocumentBuilder().parse(new ByteArrayInputStream(svg));
        assertEquals("svg", chart.getDocumentElement().getNodeName());
        String svgText = new String(svg, StandardCharsets.UTF_8);
        assertTrue(svgText.contains("netty:nio") && svgText.contains("1.50"),
                "the legend names every server and the bars carry their ratios: " + svgText);
        BufferedImage png = ImageIO.read(dir.resolve(Report.CHART_PNG).toFile());
        assertEquals(EchoChart.WIDTH, png.getWidth());
        assertEquals(EchoChart.HEIGHT, png.getHeight());
    }

    private static String status(List<Targets.Check> checks, String targetPart) {
        for (Targets.Check c : checks) {
            if (c.target().contains(targetPart)) {
                return c.status();
            }
        }
        throw new AssertionError("no check whose target contains '" + targetPart + "': " + checks);
    }

    private static String jmh(String... entries) {
        return "[" + String.join(",", entries) + "]";
    }

    private static String simple(String name, String mode, String params, double score,
                                 String unit) {
        return entry(name, mode, params, metric(score, unit), "{}");
    }

    private static String echo(String server, int connections, int size, double messagesPerSec,
                               double cpuNanosPerSec, double allocPerSec) {
        List<String> secondary = new ArrayList<>();
        secondary.add("\"messages\": " + metric(messagesPerSec, "ops/s"));
        secondary.add("\"serverCpuNanos\": " + metric(cpuNanosPerSec, "ops/s"));
        secondary.add("\"serverAllocBytes\": " + metric(allocPerSec, "ops/s"));
        return entry("EchoBench.pingPong", "thrpt", String.format(Locale.ROOT,
                "{\"connections\": \"%d\", \"server\": \"%s\", \"size\": \"%d\"}",
                connections, server, size), metric(messagesPerSec / connections, "ops/s"),
                "{" + String.join(", ", secondary) + "}");
    }

    private static String entry(String name, String mode, String params, String primary,
                                String secondary) {
        return "{\"jmhVersion\": \"1.37\", \"benchmark\": \"dev.pollen.bench." + name + "\", "
                + "\"mode\": \"" + mode + "\", \"threads\": 1, \"forks\": 1, "
                + "\"jvmArgs\": [\"-Xmx1g\"], \"jdkVersion\": \"25\", \"vmName\": \"VM\", "
                + "\"vmVersion\": \"25\", \"warmupIterations\": 2, \"warmupTime\": \"1 s\", "
                + "\"measurementIterations\": 3, \"measurementTime\": \"1 s\", "
                + "\"params\": " + params + ", \"primaryMetric\": " + primary + ", "
                + "\"secondaryMetrics\": " + secondary + "}";
    }

    private static String metric(double score, String unit) {
        return String.format(Locale.ROOT, "{\"score\": %s, \"scoreError\": \"NaN\", "
                + "\"scoreUnit\": \"%s\"}", score, unit);
    }
}
