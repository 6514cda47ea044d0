package dev.pollen.bench.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * @param jmhVersion the JMH version that wrote the entry
 * @param jdkVersion the JDK's version
 * @param vm         the VM's name and version
 * @param jvmArgs    the forked JVM's arguments
 * @param forks      forks per entry
 * @param warmup     warm-up iterations and time, e.g. {@code 2 x 1 s}
 * @param measure    measured iterations and time, e.g. {@code 3 x 2 s}
 */
record Run(String benchmark, String mode, Map<String, String> params, Metric primary,
           Map<String, Metric> secondary, String jmhVersion, String jdkVersion, String vm, List<String> jvmArgs,
           int forks, String warmup, String measure) {

    /**
     * A score with its error and unit.
     *
     * @param score the score (NaN if JMH had none)
     * @param error the 99.9% confidence half-width (NaN with a single iteration)
     * @param unit  e.g. {@code ops/s} or {@code ns/op}
     */
    record Metric(double score, double error, String unit) {
        static Metric of(JsonNode json) {
            return new Metric(number(json.path("score")), number(json.path("scoreError")),
                    json.path("scoreUnit").asText());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads a JMH JSON result file (made with {@code -rf json}).
     *
     * @param text the file's text
     * @return the entries in file order
     * @throws IllegalArgumentException if this is not JSON, or not a JMH result array
     */
    static List<Run> parse(String text) {
        JsonNode doc;
        try {
            doc = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the JMH result file is not valid JSON: "
                    + e.getOriginalMessage() + " (" + e.getLocation().offsetDescription() + ")", e);
        }
        if (doc == null || !doc.isArray()) {
            throw new IllegalArgumentException("a JMH result file is a JSON array (made with "
                    + "-rf json), but this one is not");
        }
        List<Run> runs = new ArrayList<>();
        for (JsonNode e : doc) {
            runs.add(of(e));
        }
        return runs;
    }

    /** A JSON number, or a string holding one (JMH writes {@code "NaN"}); NaN otherwise. */
    private static double number(JsonNode v) {
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.textValue());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    private static Run of(JsonNode e) {
        JsonNode bench = e.path("benchmark");
        if (!bench.isTextual()) {
            throw new IllegalArgumentException("a JMH result entry has no \"benchmark\" name");
        }
        Map<String, String> params = new LinkedHashMap<>();
        e.path("params").properties().forEach(p -> params.put(p.getKey(), p.getValue().asText()));
        Map<String, Metric> secondary = new LinkedHashMap<>();
        e.path("secondaryMetrics").properties()
                .forEach(p -> secondary.put(p.getKey(), Metric.of(p.getValue())));
        List<String> args = new ArrayList<>();
        e.path("jvmArgs").forEach(a -> args.add(a.asText()));
        return new Run(bench.textValue(), e.path("mode").asText(), params,
                Metric.of(e.path("primaryMetric")), secondary, e.path("jmhVersion").asText(),
                e.path("jdkVersion").asText(),
                e.path("vmName").asText() + " " + e.path("vmVersion").asText(), args,
                e.path("forks").asInt(), iterations(e, "warmup"), iterations(e, "measurement"));
    }

    private static String iterations(JsonNode e, String phase) {
        return e.path(phase + "Iterations").asInt() + " x " + e.path(phase + "Time").asText();
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
