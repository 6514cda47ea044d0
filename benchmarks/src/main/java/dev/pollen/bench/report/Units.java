package dev.pollen.bench.report;

import java.util.Locale;

/**
 * Unit conversion and number formatting for the report.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
public final class Units {

    private Units() {
    }

    /**
     * A JMH score as nanoseconds per operation.
     *
     * @param m a score in {@code ops/<unit>} or {@code <unit>/op}
     * @return ns/op, or NaN for an unknown unit
     */
    static double nanosPerOp(Run.Metric m) {
        String u = m.unit();
        if (u.startsWith("ops/")) {
            double perUnit = m.score();
            double unitNanos = unitNanos(u.substring(4));
            return unitNanos / perUnit;
        }
        if (u.endsWith("/op")) {
            return m.score() * unitNanos(u.substring(0, u.length() - 3));
        }
        return Double.NaN;
    }

    private static double unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "min" -> 60e9;
            default -> Double.NaN;
        };
    }

    /**
     * A count with an SI suffix: {@code 41.6k}, {@code 28.3M}.
     *
     * @param v the value
     * @return the text
     */
    public static String si(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 1e9) {
            return fmt(v / 1e9) + "G";
        }
        if (a >= 1e6) {
            return fmt(v / 1e6) + "M";
        }
        if (a >= 1e3) {
            return fmt(v / 1e3) + "k";
        }
        return fmt(v);
    }

    /**
     * A duration in nanoseconds as ns, µs or ms.
     *
     * @param ns nanoseconds
     * @return e.g. {@code 57.7 ns}, {@code 7.55 µs} or {@code 12.3 ms}
     */
    public static String nanos(double ns) {
        if (Double.isNaN(ns)) {
            return "n/a";
        }
        if (Math.abs(ns) >= 1_000_000) {
            return fmt(ns / 1e6) + " ms";
        }
        if (Math.abs(ns) >= 1_000) {
            return fmt(ns / 1000) + " µs";
        }
        return fmt(ns) + " ns";
    }

    /**
     * Three significant digits, no exponent.
     *
     * @param v the value
     * @return the text ({@code n/a} for NaN)
     */
    public static String fmt(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, v);
    }

    /**
     * A score with its error, e.g. {@code 57.7 ± 3.1}.
     *
     * @param m the score
     * @return the text
     */
    static String scoreWithError(Run.Metric m) {
        if (Math.abs(m.score()) >= 10_000) {
            return Double.isNaN(m.error()) ? si(m.score()) : si(m.score()) + " ± " + si(m.error());
        }
        return Double.isNaN(m.error()) ? fmt(m.score()) : fmt(m.score()) + " ± " + fmt(m.error());
    }
}
