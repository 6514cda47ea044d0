package dev.pollen.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The results step: turns a JMH JSON result file into {@code results.md} (tables, the targets
 * checked as ratios inside the run) and {@code echo.svg} / {@code echo.png} (Pollen's pollers and
 * Netty side by side, drawn by JFreeChart) in an output directory.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.pollen.bench.report.Report \
 *     benchmarks/results/results.json benchmarks/results/
 * </pre>
 *
 * <p><b>Threading:</b> a command-line program; single-threaded.
 */
public final class Report {

    /** The Markdown file written into the output directory. */
    public static final String MARKDOWN = "results.md";
    /** The chart written into the output directory. */
    public static final String CHART = "echo.svg";
    /** The same chart as PNG, for viewers without SVG. */
    public static final String CHART_PNG = "echo.png";

    private Report() {
    }

    /**
     * Writes the report.
     *
     * @param args the JMH JSON file and the output directory
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: Report <jmh-result.json> <output-directory>");
            System.exit(2);
        }
        Path json = Path.of(args[0]);
        Path out = Path.of(args[1]);
        if (!Files.isRegularFile(json)) {
            System.err.println("Report: no JMH result file at " + json.toAbsolutePath()
                    + " (make one with -rf json -rff " + json + ")");
            System.exit(2);
        }
        List<Run> runs;
        try {
            runs = Run.parse(Files.readString(json, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            System.err.println("Report: " + json + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        if (runs.isEmpty()) {
            System.err.println("Report: " + json + " holds no benchmark results");
            System.exit(1);
        }
        String jmh = runs.get(0).jmhVersion();
        String date = LocalDateTime.ofInstant(Files.getLastModifiedTime(json).toInstant(),
                ZoneId.systemDefault()).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
        Files.createDirectories(out);

        List<EchoRow> echo = EchoRow.of(runs);
        List<Targets.Check> checks = Targets.check(runs, echo);
        String machine = Machine.describe();
        if (!echo.isEmpty()) {
            String title = date + ", " + machine + ", JDK " + runs.get(0).jdkVersion();
            try {
                Charts.write(EchoChart.chart(echo, title), EchoChart.WIDTH, EchoChart.HEIGHT,
                        out.resolve(CHART), out.resolve(CHART_PNG));
            } catch (IOException | RuntimeException | Error e) { // e.g. no fonts installed
                System.err.println("Report: no chart (" + e + "); results.md is complete");
            }
        }
        String jsonLink = json.toAbsolutePath().normalize().getParent()
                .equals(out.toAbsolutePath().normalize())
                ? "[" + json.getFileName() + "](" + json.getFileName() + ")"
                : "`" + json + "`";
        String md = markdown(runs, echo, checks, date, jmh, machine, jsonLink);
        Files.writeString(out.resolve(MARKDOWN), md, StandardCharsets.UTF_8);

        for (Targets.Check c : checks) {
            System.out.printf(Locale.ROOT, "%-13s %s: %s%n", c.status(), c.target(), c.measured());
        }
        System.out.println("wrote " + out.resolve(MARKDOWN)
                + (echo.isEmpty() ? "" : ", " + out.resolve(CHART) + " and " + CHART_PNG));
    }

    private static String markdown(List<Run> runs, List<EchoRow> echo,
                                   List<Targets.Check> checks, String date, String jmh,
                                   String machine, String jsonLink) {
        StringBuilder md = new StringBuilder();
        Run first = runs.get(0);
        md.append("# Pollen benchmark results\n\n");
        md.append("- Date: ").append(date).append(" (when the JMH result file was written).\n");
        md.append("- JDK: ").append(first.jdkVersion()).append(", ").append(first.vm())
                .append("; JMH ").append(jmh).append(".\n");
        md.append("- Machine: ").append(machine).append(" (where this report was made).\n");
        Set<String> pollen = new LinkedHashSet<>();
        Set<String> netty = new LinkedHashSet<>();
        for (EchoRow r : echo) {
            (r.isPollen() ? pollen : netty).add(r.server().substring(r.server().indexOf(':') + 1));
        }
        if (!echo.isEmpty()) {
            md.append("- Echo servers: Pollen ").append(String.join(", ", pollen))
                    .append("; Netty 4.2 ").append(String.join(", ", netty)).append(".\n");
        }
        md.append("- Raw data: ").append(jsonLink).append(". Made by `benchmarks/run-suite.sh`; ")
                .append("see [docs/benchmarks.md](../../docs/benchmarks.md) for what each ")
                .append("benchmark measures.\n\n");
        md.append("The machine's cores are shared by the load generator and the server, so only ")
                .append("ratios inside this one run mean much; absolute numbers move from run ")
                .append("to run.\n\n");

        md.append("## Targets\n\n");
        int met = 0;
        int missed = 0;
        int none = 0;
        md.append("| Target | Measured | Status |\n|---|---|---|\n");
        for (Targets.Check c : checks) {
            md.append("| ").append(c.target()).append(" | ").append(c.measured()).append(" | ")
                    .append(c.status().equals("MET") ? "MET" : "**" + c.status() + "**")
                    .append(" |\n");
            switch (c.status()) {
                case "MET" -> met++;
                case "MISSED" -> missed++;
                default -> none++;
            }
        }
        md.append(String.format(Locale.ROOT, "%n%d met, %d missed, %d not measured. ", met, missed,
                none));
        md.append("Where a target is missed, docs/decisions.md says what stands in the way.\n\n");

        if (!echo.isEmpty()) {
            echoSection(md, echo, runs);
        }
        List<Run> loop = new ArrayList<>();
        List<Run> other = new ArrayList<>();
        for (Run r : runs) {
            if (r.shortName().equals(EchoRow.BENCHMARK)) {
                continue;
            }
            (r.shortName().startsWith("LoopBench.") ? loop : other).add(r);
        }
        if (!loop.isEmpty()) {
            md.append("## Event loop\n\n");
            md.append("Loop-thread benchmarks run on the best available poller (`auto`); the ")
                    .append("cross-thread ones on each poller.\n\n");
            table(md, loop);
        }
        if (!other.isEmpty()) {
            md.append("## Other benchmarks\n\n");
            table(md, other);
        }
        md.append("## Settings\n\n| Benchmark | Forks | Warm-up | Measurement | JVM arguments |\n")
                .append("|---|---|---|---|---|\n");
        Set<String> seen = new LinkedHashSet<>();
        for (Run r : runs) {
            String key = r.shortName().substring(0, r.shortName().indexOf('.'));
            if (seen.add(key)) {
                md.append("| ").append(key).append(" | ").append(r.forks()).append(" | ")
                        .append(r.warmup()).append(" | ").append(r.measure()).append(" | `")
                        .append(String.join(" ", r.jvmArgs())).append("` |\n");
            }
        }
        return md.toString();
    }

    private static void echoSection(StringBuilder md, List<EchoRow> echo, List<Run> runs) {
        md.append("## Echo over loopback\n\n");
        md.append("![Echo: messages per second and server CPU per message, Pollen's pollers and ")
                .append("Netty side by side](").append(CHART).append(")\n\n");
        md.append("One blocking-socket client thread drives every server the same way: each ")
                .append("connection sends one message and waits for its echo. *Server CPU/msg* ")
                .append("is the server thread's CPU time divided by the messages it echoed; ")
                .append("*vs Netty epoll* is that figure over Netty epoll's in the same ")
                .append("configuration (below 1.00 is cheaper). *Server B/msg* is what the server ")
                .append("thread allocated per message; *JVM B/msg* is JMH's `-prof gc` figure ")
                .append("for the whole JVM (client and harness included).\n\n");
        md.append("| Configuration | Server | Messages/s | Server CPU/msg | vs Netty epoll | ")
                .append("Server B/msg | JVM B/msg |\n|---|---|---:|---:|---:|---:|---:|\n");
        for (EchoRow r : echo) {
            double nettyCpu = Double.NaN;
            for (EchoRow n : echo) {
                if (n.server().equals("netty:epoll") && n.config().equals(r.config())) {
                    nettyCpu = n.cpuNsPerMsg();
                }
            }
            md.append("| ").append(r.config()).append(" | ").append(r.server()).append(" | ")
                    .append(Units.si(r.messagesPerSec()))
                    .append(Double.isNaN(r.messagesError()) ? ""
                            : " ± " + Units.si(r.messagesError()))
                    .append(" | ").append(Units.nanos(r.cpuNsPerMsg())).append(" | ")
                    .append(Double.isNaN(nettyCpu) ? "n/a"
                            : String.format(Locale.ROOT, "%.2f", r.cpuNsPerMsg() / nettyCpu))
                    .append(" | ").append(String.format(Locale.ROOT, "%.2f", r.allocPerMsg()))
                    .append(" | ").append(Double.isNaN(r.jvmAllocPerMsg()) ? "n/a"
                            : String.format(Locale.ROOT, "%.1f", r.jvmAllocPerMsg()))
                    .append(" |\n");
        }
        md.append('\n');
    }

    private static void table(StringBuilder md, List<Run> runs) {
        md.append("| Benchmark | Parameters | Mode | Score | Unit | B/op (`-prof gc`) |\n")
                .append("|---|---|---|---:|---|---:|\n");
        for (Run r : runs) {
            double gc = r.gcBytesPerOp();
            md.append("| ").append(r.shortName()).append(" | ").append(r.paramText()).append(" | ")
                    .append(r.mode()).append(" | ").append(Units.scoreWithError(r.primary()))
                    .append(" | ").append(r.primary().unit()).append(" | ")
                    .append(Double.isNaN(gc) ? "n/a" : Units.fmt(gc)).append(" |\n");
        }
        md.append('\n');
    }
}
