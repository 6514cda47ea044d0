package dev.pollen.bench.external;

import dev.pollen.bench.report.Units;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Interleaved rounds: in every round, every cell, and in each cell every contestant once, in an
 * order that rotates by one place per round (round 1: A B C, round 2: B C A, ...), so drift in
 * the machine (another job starting, the CPU warming up) spreads over all contestants instead of
 * landing on whoever runs last.
 *
 * <p><b>Threading:</b> one thread; runs the trials one after another.
 */
final class Rounds {

    /**
     * One trial: load the contestant and measure (a proxy is started for its trial; an echo
     * server may be running already).
     */
    @FunctionalInterface
    interface Trial {
        /**
         * Runs one trial.
         *
         * @param cell       the cell
         * @param contestant the contestant
         * @param round      1-based round
         * @param position   1-based place in this round's order
         * @return what it measured
         * @throws Exception if the trial failed; it is recorded as a failed sample
         */
        Sample run(Cell cell, String contestant, int round, int position) throws Exception;
    }

    private Rounds() {
    }

    /**
     * Runs every trial and prints one line per trial on {@code log}.
     *
     * @param rounds      how many rounds
     * @param cells       the cells
     * @param contestants the contestants, in the first round's order
     * @param trial       what one trial does
     * @param log         where progress goes
     * @return every sample, in the order run
     */
    static List<Sample> run(int rounds, List<Cell> cells, List<String> contestants, Trial trial,
                            PrintStream log) {
        List<Sample> samples = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            List<String> order = rotate(contestants, r - 1);
            for (Cell cell : cells) {
                for (int i = 0; i < order.size(); i++) {
                    String c = order.get(i);
                    Sample s;
                    try {
                        s = trial.run(cell, c, r, i + 1);
                    } catch (Exception | Error e) {
                        s = Sample.failed(r, i + 1, cell.name(), c, String.valueOf(e.getMessage()));
                    }
                    samples.add(s);
                    log.println(describe(s, cell, rounds));
                }
            }
        }
        return samples;
    }

    /**
     * The list rotated left by {@code k} places.
     *
     * @param list the list
     * @param k    places
     * @return a new list
     */
    static List<String> rotate(List<String> list, int k) {
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(list.get((i + k) % list.size()));
        }
        return out;
    }

    private static String describe(Sample s, Cell cell, int rounds) {
        String head = String.format(Locale.ROOT, "[round %d/%d] %-32s %-20s", s.round(), rounds,
                cell.label(), s.contestant());
        if (!s.valid()) {
            return head + " FAILED: " + s.firstError();
        }
        return head + String.format(Locale.ROOT, " CPU/%s %s  %s %s/s  p99 %s", cell.unit(),
                Units.nanos(s.cpuNanosPerUnit()), Units.si(s.unitsPerSecond()), cell.unit(),
                s.p99Us() == null ? "n/a" : Units.nanos(s.p99Us() * 1000));
    }
}
