package dev.pollen.bench.external;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One contestant in one cell over all rounds: the median of each figure and its spread
 * (minimum and maximum over the rounds). Ratios to the reference are taken round by round (this
 * contestant's figure over the reference's in the same round and cell, so a machine that slows
 * down between rounds moves both) and then summarised the same way.
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param cell            the cell's name
 * @param contestant      the contestant
 * @param rounds          valid samples (rounds without an error)
 * @param errors          errors over all rounds
 * @param cpuNanosPerUnit server CPU per unit of work
 * @param ratio           {@code cpuNanosPerUnit} over the reference's, per round
 * @param unitsPerSecond  throughput
 * @param p50Us           median latency, or null
 * @param p99Us           99th percentile latency, or null
 * @param p999Us          99.9th percentile latency, or null
 */
record Summary(String cell, String contestant, int rounds, long errors, Spread cpuNanosPerUnit,
               Spread ratio, Spread unitsPerSecond, Spread p50Us, Spread p99Us, Spread p999Us) {

    /**
     * A median with the smallest and largest value it was taken from.
     *
     * @param median the median (the mean of the two middle values for an even count)
     * @param min    the smallest
     * @param max    the largest
     */
    record Spread(double median, double min, double max) {

        /**
         * The spread of some values.
         *
         * @param values the values; NaNs are left out
         * @return the spread, or null if no value is left
         */
        static Spread of(double... values) {
            double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
            if (v.length == 0) {
                return null;
            }
            int n = v.length;
            double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
            return new Spread(median, v[0], v[n - 1]);
        }
    }

    /**
     * Summarises every cell and contestant of a run, in the cells' and contestants' order.
     *
     * @param cells       the cells
     * @param contestants the contestants
     * @param reference   the contestant ratios are taken against
     * @param samples     every trial
     * @return one summary per cell and contestant that has at least one sample
     */
    static List<Summary> of(List<Cell> cells, List<String> contestants, String reference,
                            List<Sample> samples) {
        List<Summary> out = new ArrayList<>();
        for (Cell cell : cells) {
            for (String c : contestants) {
                List<Sample> mine = new ArrayList<>();
                long errors = 0;
                for (Sample s : samples) {
                    if (s.cell().equals(cell.name()) && s.contestant().equals(c)) {
                        errors += s.errors();
                        if (s.valid()) {
                            mine.add(s);
                        }
                    }
                }
                if (mine.isEmpty() && errors == 0) {
                    continue;
                }
                double[] ratios = new double[mine.size()];
                for (int i = 0; i < mine.size(); i++) {
                    ratios[i] = Double.NaN;
                    Sample s = mine.get(i);
                    for (Sample r : samples) {
                        if (r.valid() && r.round() == s.round() && r.cell().equals(s.cell())
                                && r.contestant().equals(reference)) {
                            ratios[i] = s.cpuNanosPerUnit() / r.cpuNanosPerUnit();
                        }
                    }
                }
                out.add(new Summary(cell.name(), c, mine.size(), errors,
                        spread(mine, Sample::cpuNanosPerUnit), Spread.of(ratios),
                        spread(mine, Sample::unitsPerSecond), latency(mine, Sample::p50Us),
                        latency(mine, Sample::p99Us), latency(mine, Sample::p999Us)));
            }
        }
        return out;
    }

    private static Spread spread(List<Sample> samples, ToDoubleFunction<Sample> f) {
        return Spread.of(samples.stream().mapToDouble(f).toArray());
    }

    private static Spread latency(List<Sample> samples, java.util.function.Function<Sample, Double> f) {
        return Spread.of(samples.stream().map(f).mapToDouble(d -> d == null ? Double.NaN : d)
                .toArray());
    }
}
