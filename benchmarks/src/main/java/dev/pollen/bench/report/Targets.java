package dev.pollen.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The targets, each checked as a ratio or threshold inside one run.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
public final class Targets {

    /** callSoon must exceed this many operations per second. */
    static final double CALL_SOON_OPS = 20e6;
    /** An await/resume cycle must take less than this many nanoseconds. */
    static final double AWAIT_RESUME_NS = 200;
    /** Timer schedule+cancel at 1,000,000 pending may cost at most this multiple of 1,000. */
    static final double TIMER_FLATNESS = 2.0;
    /** Server bytes per echoed message at or below this print as 0 (rounding noise of counters). */
    static final double ZERO_BYTES = 0.5;

    private Targets() {
    }

    /**
     * One checked target.
     *
     * @param target   what the issue asks
     * @param measured what this run measured
     * @param status   {@code MET}, {@code MISSED} or {@code NOT MEASURED}
     */
    public record Check(String target, String measured, String status) {
    }

    /**
     * Checks every target that the run has data for; the others are listed as not measured.
     *
     * @param runs the result file's entries
     * @param echo its echo rows
     * @return one check per target (the CPU target once per echo configuration, the allocation
     *         target once per Pollen poller, the await/resume one once per task benchmark)
     */
    static List<Check> check(List<Run> runs, List<EchoRow> echo) {
        List<Check> out = new ArrayList<>();
        out.addAll(echoCpu(echo));
        out.addAll(awaitResume(runs));
        out.add(callSoon(runs));
        out.add(timers(runs));
        out.addAll(zeroAlloc(echo));
        return out;
    }

    private static List<Check> echoCpu(List<EchoRow> echo) {
        String target = "best Pollen poller's server CPU per echoed message ≤ Netty epoll's";
        Map<String, List<EchoRow>> byConfig = new LinkedHashMap<>();
        for (EchoRow r : echo) {
            byConfig.computeIfAbsent(r.config(), k -> new ArrayList<>()).add(r);
        }
        List<Check> out = new ArrayList<>();
        for (var e : byConfig.entrySet()) {
            EchoRow best = null;
            EchoRow netty = null;
            for (EchoRow r : e.getValue()) {
                if (r.isPollen() && (best == null || r.cpuNsPerMsg() < best.cpuNsPerMsg())) {
                    best = r;
                }
                if (r.server().equals("netty:epoll")) {
                    netty = r;
                }
            }
            String t = target + " (" + e.getKey() + ")";
            if (best == null || netty == null) {
                out.add(new Check(t, "needs a Pollen and a netty:epoll result", "NOT MEASURED"));
                continue;
            }
            double ratio = best.cpuNsPerMsg() / netty.cpuNsPerMsg();
            out.add(new Check(t, String.format(Locale.ROOT, "%s %s vs netty:epoll %s = %.2f×",
                    best.server(), Units.nanos(best.cpuNsPerMsg()),
                    Units.nanos(netty.cpuNsPerMsg()), ratio), ratio <= 1.0 ? "MET" : "MISSED"));
        }
        if (out.isEmpty()) {
            out.add(new Check(target, "no EchoBench results in this file", "NOT MEASURED"));
        }
        return out;
    }

    /** TaskBench's await/resume benchmarks (see its Javadoc); each is judged on its own. */
    private static final List<String> AWAIT_RESUME_METHODS = List.of("yieldCycle", "pingPong");

    private static List<Check> awaitResume(List<Run> runs) {
        String target = "await/resume cycle < " + (int) AWAIT_RESUME_NS + " ns";
        List<Check> out = new ArrayList<>();
        for (Run r : runs) {
            if (r.shortName().startsWith("TaskBench.")
                    && AWAIT_RESUME_METHODS.contains(r.method())) {
                double ns = r.nanosPerOp();
                String which = r.shortName() + (r.params().isEmpty() ? "" : " (" + r.paramText()
                        + ")");
                out.add(new Check(target + ", " + which, Units.nanos(ns),
                        ns < AWAIT_RESUME_NS ? "MET" : "MISSED"));
            }
        }
        if (out.isEmpty()) {
            out.add(new Check(target, "no TaskBench.yieldCycle or TaskBench.pingPong in this file",
                    "NOT MEASURED"));
        }
        return out;
    }

    private static Check callSoon(List<Run> runs) {
        String target = "callSoon > 20 M/s";
        for (Run r : runs) {
            if (r.shortName().equals("LoopBench.callSoon")) {
                double ops = r.opsPerSecond();
                return new Check(target, Units.si(ops) + " ops/s",
                        ops > CALL_SOON_OPS ? "MET" : "MISSED");
            }
        }
        return new Check(target, "no LoopBench.callSoon in this file", "NOT MEASURED");
    }

    private static Check timers(List<Run> runs) {
        String target = "timer schedule+cancel flat within 2× from 1,000 to 1,000,000 pending";
        double small = Double.NaN;
        double large = Double.NaN;
        for (Run r : runs) {
            if (r.shortName().equals("LoopBench.timerScheduleCancel")) {
                if ("1000".equals(r.param("pending"))) {
                    small = r.nanosPerOp();
                } else if ("1000000".equals(r.param("pending"))) {
                    large = r.nanosPerOp();
                }
            }
        }
        if (Double.isNaN(small) || Double.isNaN(large)) {
            return new Check(target, "needs LoopBench.timerScheduleCancel at both sizes",
                    "NOT MEASURED");
        }
        double ratio = large / small;
        return new Check(target, String.format(Locale.ROOT, "%s → %s = %.2f×",
                Units.nanos(small), Units.nanos(large), ratio),
                ratio <= TIMER_FLATNESS ? "MET" : "MISSED");
    }

    private static List<Check> zeroAlloc(List<EchoRow> echo) {
        String target = "0 B allocated per echoed message (server thread, steady state)";
        Map<String, EchoRow> worst = new LinkedHashMap<>();
        for (EchoRow r : echo) {
            if (r.isPollen()) {
                EchoRow w = worst.get(r.server());
                if (w == null || r.allocPerMsg() > w.allocPerMsg()) {
                    worst.put(r.server(), r);
                }
            }
        }
        List<Check> out = new ArrayList<>();
        for (EchoRow w : worst.values()) {
            out.add(new Check(target + ", " + w.server(), String.format(Locale.ROOT,
                    "worst %.2f B/msg (%s)", w.allocPerMsg(), w.config()),
                    w.allocPerMsg() <= ZERO_BYTES ? "MET" : "MISSED"));
        }
        if (out.isEmpty()) {
            out.add(new Check(target, "no Pollen EchoBench results in this file", "NOT MEASURED"));
        }
        return out;
    }
}
