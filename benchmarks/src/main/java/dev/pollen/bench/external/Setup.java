package dev.pollen.bench.external;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What every trial of a run shares: where things are, which CPUs, how long.
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param work        a scratch directory for configurations and the children's logs
 * @param serverCpu   the CPU the server or proxy is pinned to, or -1 for no pinning
 * @param clientCpu   the CPU the load generator and the upstreams are pinned to, or -1
 * @param rounds      interleaved rounds
 * @param warmup      seconds of load before each measured window
 * @param seconds     the measured window
 * @param java        the java launcher for the JVM contestants
 * @param jvmFlags    the flags every JVM contestant runs with
 * @param classpath   the benchmarks classpath (for {@link ServerMain})
 * @param cBin        the directory with the compiled C programs, or null without a C compiler
 * @param examplesJar the examples jar ({@code proxy}, {@code loadgen}), or null if not built
 * @param log         where progress goes
 */
record Setup(Path work, int serverCpu, int clientCpu, int rounds, double warmup, double seconds,
             String java, List<String> jvmFlags, String classpath, Path cBin, Path examplesJar,
             PrintStream log) {

    /**
     * A compiled C program of the harness, if there is one.
     *
     * @param name {@code echo-server}, {@code uring-echo-server} or {@code loadgen}
     * @return its path, or null
     */
    Path cProgram(String name) {
        if (cBin == null) {
            return null;
        }
        Path p = cBin.resolve(name);
        return Files.isExecutable(p) ? p : null;
    }

    /**
     * The poller of a Pollen contestant's name, without its variant suffixes.
     *
     * @param name {@code pollen:<poller>[+<suffix>...]}
     * @return the poller, e.g. {@code io_uring} for {@code pollen:io_uring+io_uring.send=ring}
     */
    static String poller(String name) {
        String p = name.substring("pollen:".length());
        int plus = p.indexOf('+');
        return plus < 0 ? p : p.substring(0, plus);
    }

    /**
     * The variant suffixes of a Pollen contestant's name.
     *
     * @param name {@code pollen:<poller>[+<suffix>...]}
     * @return the suffixes without their {@code +}, in order (empty for a default contestant)
     */
    static List<String> variantSuffixes(String name) {
        String[] parts = name.split("\\+");
        return List.of(parts).subList(1, parts.length);
    }

    /**
     * The system property a {@code +<name>=<value>} suffix of a Pollen contestant stands for:
     * {@code -Dpollen.<name>=<value>}, so that an opt-in mode runs in the same interleaved rounds
     * as the default (e.g. {@code pollen:io_uring+io_uring.send=ring}).
     *
     * @param suffix the text after a {@code +}
     * @return the JVM flag
     * @throws IllegalArgumentException when the suffix is not {@code <name>=<value>}
     */
    static String propertyFlag(String suffix) {
        int eq = suffix.indexOf('=');
        if (eq <= 0 || eq == suffix.length() - 1) {
            throw new IllegalArgumentException("'+" + suffix + "': a variant suffix is "
                    + "+<name>=<value>, run as -Dpollen.<name>=<value> (e.g. +io_uring.send=ring)");
        }
        return "-Dpollen." + suffix;
    }

    /**
     * The command that starts a JVM contestant.
     *
     * @param args what follows the JVM flags, e.g. {@code -cp ... Main x} or {@code -jar ...}
     * @return the command
     */
    List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * The settings as recorded in the JSON.
     *
     * @param client the load generator(s)
     * @return the settings
     */
    Part.Settings settings(String client) {
        return new Part.Settings(rounds, warmup, seconds, serverCpu, clientCpu, client, jvmFlags);
    }
}
