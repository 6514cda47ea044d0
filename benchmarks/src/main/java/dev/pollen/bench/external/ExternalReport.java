package dev.pollen.bench.external;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pollen.bench.report.Charts;
import dev.pollen.bench.report.Targets;
import dev.pollen.bench.report.Units;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the external benchmark's results: {@code echo.json} / {@code proxy.json} (every sample
 * and the summary), and from whichever of them the directory holds, {@code results.md} (the
 * tables and the targets) and the charts {@code echo.svg}/{@code .png} and
 * {@code proxy.svg}/{@code .png}.
 *
 * <p><b>Threading:</b> stateless, one thread per directory.
 */
final class ExternalReport {

    /** The Markdown file. */
    static final String MARKDOWN = "results.md";
    /** The parts, in the order the Markdown shows them. */
    static final List<String> PARTS = List.of("echo", "proxy");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);
    private static final int WIDTH = 980;
    private static final int HEIGHT = 460;

    private ExternalReport() {
    }

    /**
     * Writes one part's JSON, then renders the directory.
     *
     * @param dir  the output directory
     * @param part the part's result
     * @throws IOException if a file cannot be written
     */
    static void write(Path dir, Part part) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve(part.part() + ".json").toFile(), part);
        render(dir);
    }

    /**
     * Reads a part's JSON back.
     *
     * @param file {@code echo.json} or {@code proxy.json}
     * @return the part
     * @throws IOException if it cannot be read or is not such a file
     */
    static Part read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), Part.class);
    }

    /**
     * Renders {@code results.md} and the charts from the part files in {@code dir}.
     *
     * @param dir the directory
     * @return the parts found
     * @throws IOException if a file cannot be read or written
     */
    static List<Part> render(Path dir) throws IOException {
        List<Part> parts = new ArrayList<>();
        for (String p : PARTS) {
            Path f = dir.resolve(p + ".json");
            if (Files.isRegularFile(f)) {
                parts.add(read(f));
            }
        }
        StringBuilder md = new StringBuilder("# Pollen against C, Netty and HAProxy\n\n");
        md.append("Each server or proxy ran in its own process pinned to one CPU, its load ")
                .append("generator in another process pinned to the other; CPU time is the ")
                .append("server process's user + system time from the kernel (`/proc/<pid>/stat`)")
                .append(" over the measured window only. Each figure is the median over ")
                .append("interleaved rounds (the order of the contestants rotates every round), ")
                .append("with its spread (min–max). Ratios are taken inside each round, then the ")
                .append("median is shown. Made by `benchmarks/external/run.sh`; how to read it: ")
                .append("[docs/benchmarks.md](../../../docs/benchmarks.md).\n\n");
        if (parts.isEmpty()) {
            md.append("No results yet.\n");
        }
        for (Part p : parts) {
            section(md, p);
            try {
                chart(dir, p);
            } catch (IOException | RuntimeException | Error e) { // e.g. no fonts installed
                System.err.println("external: no " + p.part() + " chart (" + e + "); "
                        + MARKDOWN + " is complete");
            }
        }
        Files.writeString(dir.resolve(MARKDOWN), md.toString(), StandardCharsets.UTF_8);
        return parts;
    }

    private static String refLabel(Part p) {
        return p.reference().equals(EchoRace.FLOOR) ? "C floor" : "HAProxy";
    }

    private static void section(StringBuilder md, Part p) {
        boolean echo = p.part().equals("echo");
        md.append(echo ? "## Echo: servers against the C epoll floor\n\n"
                : "## Proxy: Pollen's proxy against HAProxy\n\n");
        Part.Settings s = p.settings();
        md.append("- Date: ").append(p.date()).append("; machine: ").append(p.machine())
                .append("; JDK ").append(p.jdk()).append(".\n");
        String timing = echo
                ? String.format(Locale.ROOT, "the servers up side by side, each warmed up for "
                        + "%.1f s in every cell before the first round, then %.1f s of load and "
                        + "%.1f s measured per trial", s.warmupSeconds(),
                        Math.min(EchoRace.SETTLE, s.warmupSeconds()), s.seconds())
                : String.format(Locale.ROOT, "%.1f s warm-up and %.1f s measured per trial",
                        s.warmupSeconds(), s.seconds());
        md.append(String.format(Locale.ROOT, "- %d round(s); %s; server CPU %s, client CPU %s.%n",
                s.rounds(), timing,
                s.serverCpu() < 0 ? "not pinned" : Integer.toString(s.serverCpu()),
                s.clientCpu() < 0 ? "not pinned" : Integer.toString(s.clientCpu())));
        md.append("- Client: ").append(s.client()).append(".\n");
        md.append("- JVM flags of every JVM contestant: `").append(String.join(" ", s.jvmFlags()))
                .append("`.\n");
        for (String n : p.notes()) {
            md.append("- Note: ").append(n).append(".\n");
        }
        md.append('\n');
        md.append("![").append(echo ? "Server CPU per echoed message ÷ the C floor's"
                : "Proxy CPU per request ÷ HAProxy's").append("](").append(p.part())
                .append(".svg)\n\n");

        List<Targets.Check> checks = targets(p);
        if (!checks.isEmpty()) {
            md.append("| Target (issue 15) | Measured (median) | Status |\n|---|---|---|\n");
            for (Targets.Check c : checks) {
                md.append("| ").append(c.target()).append(" | ").append(c.measured()).append(" | ")
                        .append(c.status().equals("MET") ? "MET" : "**" + c.status() + "**")
                        .append(" |\n");
            }
            md.append('\n');
        }
        md.append("| Cell | ").append(echo ? "Server | CPU per message" : "Proxy | CPU per "
                        + "request (bulk: per MiB)").append(" | × ").append(refLabel(p))
                .append(echo ? " | Messages/s" : " | Requests/s (bulk: MiB/s)")
                .append(" | p50 | p99 | p99.9 | Rounds | Errors |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Summary x : p.summary()) {
            Cell cell = cell(p, x.cell());
            md.append("| ").append(cell.label()).append(" | ").append(x.contestant()).append(" | ")
                    .append(nanos(x.cpuNanosPerUnit())).append(" | ").append(ratio(x.ratio()))
                    .append(" | ").append(x.unitsPerSecond() == null ? "n/a"
                            : Units.si(x.unitsPerSecond().median()))
                    .append(" | ").append(micros(x.p50Us())).append(" | ")
                    .append(micros(x.p99Us())).append(" | ").append(micros(x.p999Us()))
                    .append(" | ").append(x.rounds()).append(" | ").append(x.errors())
                    .append(" |\n");
        }
        md.append('\n');
        if (!echo) {
            md.append("Bulk rows count CPU per MiB moved; throughput per CPU is its inverse ")
                    .append("(1 s ÷ CPU per MiB).\n\n");
        }
        List<String> failures = new ArrayList<>();
        for (Sample x : p.samples()) {
            if (x.errors() > 0 && x.firstError() != null) {
                failures.add("round " + x.round() + ", " + cell(p, x.cell()).label() + ", "
                        + x.contestant() + ": " + x.firstError().lines().findFirst().orElse(""));
            }
        }
        if (!failures.isEmpty()) {
            md.append("Errors:\n\n");
            failures.forEach(f -> md.append("- ").append(f.replace("|", "\\|")).append('\n'));
            md.append('\n');
        }
    }

    private static Cell cell(Part p, String name) {
        for (Cell c : p.cells()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return new Cell(name, name, "unit");
    }

    private static String nanos(Summary.Spread s) {
        if (s == null) {
            return "n/a";
        }
        return Units.nanos(s.median()) + " (" + Units.nanos(s.min()) + "–" + Units.nanos(s.max())
                + ")";
    }

    private static String ratio(Summary.Spread s) {
        if (s == null) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", s.median(), s.min(), s.max());
    }

    private static String micros(Summary.Spread s) {
        return s == null ? "n/a" : Units.nanos(s.median() * 1000);
    }

    /**
     * The targets that this part measures, each judged on the medians.
     *
     * @param p the part
     * @return the checks
     */
    static List<Targets.Check> targets(Part p) {
        List<Targets.Check> out = new ArrayList<>();
        for (Cell cell : p.cells()) {
            // judged on Pollen as a user gets it: variants (+<suffix>) show in the table only
            Summary best = null; // the cheapest Pollen contestant against the reference
            Summary cheapest = null; // the cheapest Pollen contestant, reference or not
            Summary pollenEpoll = null;
            Double nettyP99 = null;
            for (Summary x : p.summary()) {
                if (!x.cell().equals(cell.name()) || x.cpuNanosPerUnit() == null) {
                    continue;
                }
                boolean pollen = x.contestant().startsWith("pollen:")
                        && !x.contestant().contains("+");
                if (pollen && x.ratio() != null
                        && (best == null || x.ratio().median() < best.ratio().median())) {
                    best = x;
                }
                if (pollen && (cheapest == null || x.cpuNanosPerUnit().median()
                        < cheapest.cpuNanosPerUnit().median())) {
                    cheapest = x;
                }
                if (x.contestant().equals("pollen:epoll") && x.ratio() != null) {
                    pollenEpoll = x;
                }
                if (x.contestant().startsWith("netty:") && x.p99Us() != null
                        && (nettyP99 == null || x.p99Us().median() < nettyP99)) {
                    nettyP99 = x.p99Us().median();
                }
            }
            String where = " (" + cell.label() + ")";
            if (p.part().equals("echo")) {
                out.add(ratioCheck("best Pollen poller ≤ 0.95× the C floor's CPU/msg" + where,
                        best, 0.95));
                out.add(ratioCheck("Pollen epoll ≤ 1.05× the C floor's CPU/msg" + where,
                        pollenEpoll, 1.05));
                if (cheapest == null || cheapest.p99Us() == null || nettyP99 == null) {
                    out.add(new Targets.Check("p99 latency no worse than Netty's" + where,
                            "needs a Pollen and a Netty result", "NOT MEASURED"));
                } else {
                    double mine = cheapest.p99Us().median();
                    out.add(new Targets.Check("p99 latency no worse than Netty's" + where,
                            cheapest.contestant() + " " + Units.nanos(mine * 1000)
                                    + " vs best Netty " + Units.nanos(nettyP99 * 1000),
                            mine <= nettyP99 ? "MET" : "MISSED"));
                }
            } else if (cell.unit().equals("MiB")) {
                out.add(ratioCheck("Pollen's proxy ≥ 1.5× HAProxy's bulk throughput per CPU"
                        + where, best, 1 / 1.5));
            } else {
                out.add(ratioCheck("Pollen's proxy CPU per request ≤ HAProxy's" + where, best,
                        1.0));
            }
        }
        return out;
    }

    private static Targets.Check ratioCheck(String target, Summary s, double limit) {
        if (s == null) {
            return new Targets.Check(target, "needs a Pollen result and the reference's",
                    "NOT MEASURED");
        }
        double r = s.ratio().median();
        String measured = String.format(Locale.ROOT, "%s %.2f×", s.contestant(), r);
        if (limit < 1 && target.contains("throughput")) {
            measured = String.format(Locale.ROOT, "%s %.2f× (CPU per MiB %.2f×)", s.contestant(),
                    1 / r, r);
        }
        return new Targets.Check(target, measured, r <= limit ? "MET" : "MISSED");
    }

    private static void chart(Path dir, Part p) throws IOException {
        Map<String, Map<String, Double>> groups = new LinkedHashMap<>();
        for (Cell c : p.cells()) {
            Map<String, Double> bars = new LinkedHashMap<>();
            for (Summary x : p.summary()) {
                if (x.cell().equals(c.name()) && x.ratio() != null) {
                    bars.put(x.contestant(), x.ratio().median());
                }
            }
            if (!bars.isEmpty()) {
                groups.put(c.label(), bars);
            }
        }
        if (groups.isEmpty()) {
            return;
        }
        boolean echo = p.part().equals("echo");
        String title = echo ? "Echo: server CPU per message ÷ the C epoll floor's"
                : "TCP proxy: CPU per request (bulk: per MiB) ÷ HAProxy's";
        String subtitle = "median of " + p.settings().rounds() + " interleaved round(s), "
                + "lower is better; " + p.date() + ", " + p.machine();
        Charts.Panel panel = new Charts.Panel(echo ? "× C floor" : "× HAProxy", groups, 1.0,
                "0.00");
        Charts.write(Charts.bars(title, subtitle, p.contestants(), List.of(panel)), WIDTH,
                HEIGHT, dir.resolve(p.part() + ".svg"), dir.resolve(p.part() + ".png"));
    }
}
