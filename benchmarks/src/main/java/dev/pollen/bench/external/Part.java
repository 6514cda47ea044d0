package dev.pollen.bench.external;

import java.util.List;

/**
 * The result of one part of the external benchmark ({@code echo} or {@code proxy}), as written
 * to {@code <part>.json}: how it was run, every trial's sample, and the summary computed from
 * them ({@link Summary#of}).
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param part        {@code echo} or {@code proxy}
 * @param date        when the run ended, {@code yyyy-MM-dd HH:mm}
 * @param machine     CPUs, model and OS
 * @param jdk         the JDK that ran the JVM contestants
 * @param reference   the contestant every ratio is taken against ({@code c:epoll}, {@code haproxy})
 * @param settings    how it was run
 * @param cells       the cells, in order
 * @param contestants the contestants, in the first round's order
 * @param notes       what was skipped or substituted, and why
 * @param samples     every trial
 * @param summary     per cell and contestant: medians and spreads over the rounds
 */
record Part(String part, String date, String machine, String jdk, String reference,
            Settings settings, List<Cell> cells, List<String> contestants, List<String> notes,
            List<Sample> samples, List<Summary> summary) {

    /**
     * How a part was run.
     *
     * @param rounds        interleaved rounds
     * @param warmupSeconds warm-up before each measured window
     * @param seconds       the measured window (echo, HTTP) or its target length (redis, whose
     *                      client runs a request count sized from the warm-up)
     * @param serverCpu     the CPU the server or proxy was pinned to, or -1 if not pinned
     * @param clientCpu     the CPU the load generator (and upstream) was pinned to, or -1
     * @param client        the load generator(s), e.g. {@code C epoll loadgen} or {@code wrk 4.2}
     * @param jvmFlags      the flags every JVM contestant ran with
     */
    record Settings(int rounds, double warmupSeconds, double seconds, int serverCpu,
                    int clientCpu, String client, List<String> jvmFlags) {
    }
}
