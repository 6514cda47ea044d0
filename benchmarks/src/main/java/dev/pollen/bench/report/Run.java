package dev.pollen.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of JMH's JSON result file: a benchmark method with one combination of parameters.
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param benchmark  the full name, e.g. {@code dev.pollen.bench.EchoBench.pingPong}
 * @param mode       {@code thrpt}, {@code avgt}, {@code sample} or {@code ss}
 * @param params     the {@code @Param} values
 * @param primary    the primary score
 * @param secondary  secondary scores by name (aux counters, {@code gc.alloc.rate.norm}...)
 * @param jdkVersion the JDK's version
 * @param vm         the VM's name and version
 * @param jvmArgs    the forked JVM's arguments
 * @param forks      forks per entry
 * @param warmup     warm-up iterations and time, e.g. {@code 2 x 1 s}
 * @param measure    measured iterations and time, e.g. {@code 3 x 2 s}
 */
record Run(String benchmark, String mode, Map<String, String> params, Metric primary,
           Map<String, Metric> secondary, String jdkVersion, String vm, List<String> jvmArgs,
           int forks, String warmup, String measure) {

    /**
     * A score with its error and unit.
     *
     * @param score the score (NaN if JMH had none)
     * @param error the 99.9% confidence half-width (NaN with a single iteration)
     * @param unit  e.g. {@code ops/s} or {@code ns/op}
     */
    record Metric(double score, double error, String unit) {
        static Metric of(Object json) {
            return new Metric(Json.number(Json.get(json, "score")),
                    Json.number(Json.get(json, "scoreError")),
                    String.valueOf(Json.get(json, "scoreUnit")));
        }
    }

    /**
     * Reads every entry of a JMH JSON result file.
     *
     * @param document the parsed file (a JSON array)
     * @return the entries in file order
     * @throws IllegalArgumentException if this is not a JMH result array
     */
    static List<Run> all(Object document) {
        if (!(document instanceof List<?> list)) {
            throw new IllegalArgumentException("a JMH result file is a JSON array (made with "
                    + "-rf json), but this one is not");
        }
        List<Run> runs = new ArrayList<>();
        for (Object e : list) {
            runs.add(of(e));
        }
        return runs;
    }

    private static Run of(Object e) {
        Object bench = Json.get(e, "benchmark");
        if (!(bench instanceof String name)) {
            throw new IllegalArgumentException("a JMH result entry has no \"benchmark\" name");
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (Json.get(e, "params") instanceof Map<?, ?> p) {
            p.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
        }
        Map<String, Metric> secondary = new LinkedHashMap<>();
        if (Json.get(e, "secondaryMetrics") instanceof Map<?, ?> s) {
            s.forEach((k, v) -> secondary.put(String.valueOf(k), Metric.of(v)));
        }
        List<String> args = new ArrayList<>();
        if (Json.get(e, "jvmArgs") instanceof List<?> a) {
            a.forEach(x -> args.add(String.valueOf(x)));
        }
        return new Run(name, String.valueOf(Json.get(e, "mode")), params,
                Metric.of(Json.get(e, "primaryMetric")), secondary,
                String.valueOf(Json.get(e, "jdkVersion")),
                Json.get(e, "vmName") + " " + Json.get(e, "vmVersion"), args,
                (int) Json.number(Json.get(e, "forks")),
                iterations(e, "warmup"), iterations(e, "measurement"));
    }

    private static String iterations(Object e, String phase) {
        return (int) Json.number(Json.get(e, phase + "Iterations")) + " x "
                + Json.get(e, phase + "Time");
    }

    /**
     * The class and method, e.g. {@code EchoBench.pingPong}.
     *
     * @return the short name
     */
    String shortName() {
        int method = benchmark.lastIndexOf('.');
        int cls = benchmark.lastIndexOf('.', method - 1);
        return benchmark.substring(cls + 1);
    }

    /**
     * The method's name.
     *
     * @return e.g. {@code pingPong}
     */
    String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /**
     * A parameter's value.
     *
     * @param name the parameter
     * @return its value, or null
     */
    String param(String name) {
        return params.get(name);
    }

    /**
     * The parameters as {@code a=1, b=x}, or an empty string.
     *
     * @return the description
     */
    String paramText() {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append('=').append(v));
        return sb.toString();
    }

    /**
     * JMH's normalised allocation per operation ({@code -prof gc}), whole JVM.
     *
     * @return bytes per operation, or NaN without {@code -prof gc}
     */
    double gcBytesPerOp() {
        Metric m = secondary.get("gc.alloc.rate.norm");
        return m == null ? Double.NaN : m.score();
    }

    /**
     * The primary score as nanoseconds per operation, whatever the mode and unit.
     *
     * @return ns/op, or NaN if the unit is unknown
     */
    double nanosPerOp() {
        return Units.nanosPerOp(primary);
    }

    /**
     * The primary score as operations per second, whatever the mode and unit.
     *
     * @return ops/s, or NaN if the unit is unknown
     */
    double opsPerSecond() {
        double ns = nanosPerOp();
        return ns > 0 ? 1e9 / ns : Double.NaN;
    }
}
