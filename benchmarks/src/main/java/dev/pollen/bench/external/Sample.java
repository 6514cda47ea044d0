package dev.pollen.bench.external;

/**
 * What one trial measured: one contestant in one cell in one round, the server (or proxy) in its
 * own process, its CPU time read from the kernel over the measured window only.
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param round       1-based round
 * @param position    1-based place of this contestant in the round's order (the order rotates
 *                    from round to round)
 * @param cell        the cell's name
 * @param contestant  e.g. {@code c:epoll}, {@code pollen:epoll}, {@code haproxy}
 * @param units       work done in the window: messages echoed, requests answered or MiB moved
 * @param seconds     the window's length
 * @param userNanos   the server process's user-mode CPU time in the window
 * @param systemNanos its kernel-mode CPU time in the window
 * @param p50Us       median latency in microseconds, or null if the client does not report it
 * @param p99Us       99th percentile latency, or null
 * @param p999Us      99.9th percentile latency, or null
 * @param errors      errors the client or the harness saw (0 for a valid sample)
 * @param firstError  the first error's description, or null
 */
record Sample(int round, int position, String cell, String contestant, double units,
              double seconds, long userNanos, long systemNanos, Double p50Us, Double p99Us,
              Double p999Us, long errors, String firstError) {

    /**
     * A trial that failed before it measured anything.
     *
     * @param round      the round
     * @param position   the place in the round
     * @param cell       the cell
     * @param contestant the contestant
     * @param error      what went wrong
     * @return a sample with no work and one error
     */
    static Sample failed(int round, int position, String cell, String contestant, String error) {
        return new Sample(round, position, cell, contestant, 0, 0, 0, 0, null, null, null, 1,
                error);
    }

    /**
     * Whether the sample counts: no error and some work done.
     *
     * @return true if valid
     */
    boolean valid() {
        return errors == 0 && units > 0 && seconds > 0;
    }

    /**
     * The server's CPU nanoseconds per unit of work.
     *
     * @return ns per unit
     */
    double cpuNanosPerUnit() {
        return (userNanos + systemNanos) / units;
    }

    /**
     * Units of work per second of wall time.
     *
     * @return the rate
     */
    double unitsPerSecond() {
        return units / seconds;
    }
}
