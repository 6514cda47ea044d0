package dev.pollen.bench.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pollen.bench.AvailablePollers;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The echo part: each echo server in its own process pinned to one CPU, an external load
 * generator pinned to the other, the server's CPU time per echoed message read from the kernel
 * over the measured window only.
 *
 * <p>Servers: {@code c:epoll} (the C floor, {@code benchmarks/external/c/echo-server.c}),
 * {@code c:io_uring} (the completion floor, {@code uring-echo-server.c}: what a hand-written
 * io_uring server costs here, a contestant like the others), {@code netty:epoll},
 * {@code netty:io_uring}, {@code netty:nio} and {@code pollen:<poller>} for any poller Pollen
 * has here (a new poller is measured by naming it); {@code +<name>=<value>} suffixes run that
 * poller with {@code -Dpollen.<name>=<value>} (an opt-in mode measured in the same interleaved
 * rounds as the default, e.g. {@code pollen:io_uring+io_uring.send=ring}). The load generator
 * is the C one ({@code loadgen.c}) when it was compiled, else the examples jar's
 * {@code loadgen}.
 *
 * <p>Each server starts once and stays up (pinned, idle between its trials) until
 * {@link #close()}: a trial is a few seconds of load, not a process start, so the trials a ratio
 * pairs are seconds apart instead of minutes, and this machine's drift (system calls half again
 * as dear for minutes at a time) falls on both sides of a ratio. {@link #prepare} starts every
 * server and gives it the full warm-up ({@code --warmup}) in every cell before the first round,
 * so every measured trial is alike: {@link #SETTLE} seconds of load (the connections are up and
 * busy when the window opens), then the window. A server that died is started again, and warmed
 * up again, at its next trial.
 *
 * <p><b>Threading:</b> one thread.
 */
final class EchoRace implements AutoCloseable {

    /** The floor every ratio is taken against. */
    static final String FLOOR = "c:epoll";
    /** The hand-written C io_uring echo server: a contestant, shown against the floor. */
    static final String COMPLETION_FLOOR = "c:io_uring";
    /** The cells issue 15 names. */
    static final List<String> DEFAULT_CELLS = List.of("64x64", "1000x64", "16x16384x4");

    private static final Pattern CELL = Pattern.compile("(\\d+)x(\\d+)(k?)(?:x(\\d+))?");
    private static final Pattern JAVA_LOADGEN = Pattern.compile(
            "messages/s=\\S+ .*p50=(\\d+)us p99=(\\d+)us p999=(\\d+)us messages=(\\d+) errors=(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Seconds of load before each measured window (the full warm-up came before round 1). */
    static final double SETTLE = 0.5;

    private final Setup setup;
    private final Map<String, Running> running = new HashMap<>();
    private final Set<String> warmed = new HashSet<>();

    private record Running(Child child, int port) {
    }

    EchoRace(Setup setup) {
        this.setup = setup;
    }

    /**
     * A cell from its name: {@code CONNSxSIZE[xDEPTH]}, SIZE in bytes or with {@code k} for KiB.
     *
     * @param name e.g. {@code 64x64}, {@code 16x16kx4}
     * @return the cell
     * @throws IllegalArgumentException naming the expected form
     */
    static Cell cell(String name) {
        int[] c = parse(name);
        String size = c[1] % 1024 == 0 ? c[1] / 1024 + " KiB" : c[1] + " B";
        String label = c[0] + (c[0] == 1 ? " conn × " : " conns × ") + size
                + (c[2] > 1 ? ", " + c[2] + " in flight" : "");
        return new Cell(name, label, "message");
    }

    private static int[] parse(String name) {
        Matcher m = CELL.matcher(name);
        if (!m.matches()) {
            throw new IllegalArgumentException("echo cell '" + name + "' is not CONNSxSIZE[xDEPTH]"
                    + " (e.g. 64x64, 1000x64, 16x16384x4 or 16x16kx4)");
        }
        int conns = Integer.parseInt(m.group(1));
        int size = Integer.parseInt(m.group(2)) * (m.group(3).isEmpty() ? 1 : 1024);
        int depth = m.group(4) == null ? 1 : Integer.parseInt(m.group(4));
        if (conns < 1 || size < 1 || depth < 1) {
            throw new IllegalArgumentException("echo cell '" + name + "': connections, size and "
                    + "depth must be at least 1");
        }
        return new int[] {conns, size, depth};
    }

    /**
     * Checks that every name is an echo server's name, available here or not.
     *
     * @param names server names
     * @throws IllegalArgumentException for the first name that is no server at all
     */
    static void checkNames(List<String> names) {
        for (String s : names) {
            if (!s.equals(FLOOR) && !s.startsWith("pollen:") && !List.of(COMPLETION_FLOOR,
                    "netty:epoll", "netty:io_uring", "netty:nio").contains(s)) {
                throw new IllegalArgumentException("unknown echo server '" + s + "': use "
                        + FLOOR + ", " + COMPLETION_FLOOR + ", netty:epoll, netty:io_uring, "
                        + "netty:nio or pollen:<poller>"
                        + "[+<name>=<value>...] (here: "
                        + String.join(", ", AvailablePollers.pollen()) + ")");
            }
            if (s.startsWith("pollen:")) {
                Setup.variantSuffixes(s).forEach(Setup::propertyFlag);
            }
        }
    }

    /**
     * The servers this machine can run by default: the C floors (if compiled), Netty epoll and
     * io_uring (if their native transports load), and Pollen on every available poller.
     *
     * @param notes where the reasons for anything left out go
     * @return the server names
     */
    List<String> defaultServers(List<String> notes) {
        List<String> all = new ArrayList<>(List.of(FLOOR, COMPLETION_FLOOR, "netty:epoll",
                "netty:io_uring"));
        for (String p : AvailablePollers.pollen()) {
            all.add("pollen:" + p);
        }
        return available(all, notes);
    }

    /**
     * The servers of {@code wanted} that can run here; a note says why each other one cannot.
     *
     * @param wanted server names
     * @param notes  where the reasons go
     * @return the runnable ones, in order
     * @throws IllegalArgumentException for a name that is no server at all
     */
    List<String> available(List<String> wanted, List<String> notes) {
        checkNames(wanted);
        List<String> out = new ArrayList<>();
        List<String> pollers = AvailablePollers.pollen();
        for (String s : wanted) {
            String why = switch (s) {
                case FLOOR -> setup.cProgram("echo-server") == null
                        ? "no C compiler found (install gcc): the C epoll floor is not measured "
                        + "and no ratio can be computed" : null;
                case COMPLETION_FLOOR -> completionFloorProblem();
                case "netty:epoll" -> Epoll.isAvailable() ? null
                        : "Netty's native epoll does not load here: " + Epoll.unavailabilityCause();
                case "netty:io_uring" -> IoUring.isAvailable() ? null
                        : "Netty's io_uring is unavailable here (kernel, io_uring_disabled sysctl or"
                        + " seccomp): " + IoUring.unavailabilityCause();
                case "netty:nio" -> null;
                default -> {
                    String p = Setup.poller(s);
                    yield pollers.contains(p) ? null : "Pollen's poller '" + p + "' is not "
                            + "available here (" + AvailablePollers.describe() + ")";
                }
            };
            if (why == null) {
                out.add(s);
            } else {
                notes.add("skipped " + s + ": " + why);
            }
        }
        return out;
    }

    /** Why the C io_uring server cannot run here (its own {@code --check} says), or null. */
    private String completionFloorProblem() {
        Path p = setup.cProgram("uring-echo-server");
        if (p == null) {
            return "no C compiler found (install gcc)";
        }
        try {
            Process check = new ProcessBuilder(p.toString(), "--check").redirectErrorStream(true)
                    .start();
            if (!check.waitFor(10, TimeUnit.SECONDS)) { // it prints one line: no pipe to drain
                check.destroyForcibly();
                return "its --check did not finish in 10 s";
            }
            return check.exitValue() == 0 ? null
                    : new String(check.getInputStream().readAllBytes()).strip();
        } catch (IOException e) {
            return "its --check could not run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking it";
        }
    }

    /**
     * The load generator's description for the results.
     *
     * @return e.g. {@code C epoll load generator (benchmarks/external/c/loadgen.c)}
     */
    String client() {
        return setup.cProgram("loadgen") != null
                ? "C epoll load generator (benchmarks/external/c/loadgen.c)"
                : "the examples jar's loadgen (Java; no C compiler found)";
    }

    /**
     * One trial: load the server (started if it is not running), read its CPU time around the
     * measured window.
     *
     * @param cell     the cell
     * @param server   the server
     * @param round    the round
     * @param position the place in the round
     * @return the sample
     * @throws IOException if a process cannot be started or read
     */
    Sample trial(Cell cell, String server, int round, int position) throws IOException {
        int[] c = parse(cell.name());
        String tag = "r" + round + "-" + cell.name() + "-" + server;
        Running r = running.get(server);
        if (r == null || !r.child().isAlive()) {
            if (r != null) {
                r.child().close(); // it died in an earlier trial (recorded there): start anew
                warmed.removeIf(k -> k.startsWith(server + " "));
            }
            Child srv = Child.server("server-" + server + "-r" + round, setup.serverCpu(),
                    serverCommand(server), setup.work());
            try {
                r = new Running(srv, srv.awaitListening(60_000));
            } catch (RuntimeException e) {
                srv.close();
                throw e;
            }
            running.put(server, r);
        }
        double warmup = warmed.add(server + " " + cell.name()) ? setup.warmup()
                : Math.min(SETTLE, setup.warmup());
        Child srv = r.child();
        Path loadgen = setup.cProgram("loadgen");
        Sample s = loadgen != null
                ? cLoadgen(loadgen, srv, r.port(), c, cell, server, round, position, tag, warmup)
                : javaLoadgen(srv, r.port(), c, cell, server, round, position, tag, warmup);
        if (!srv.isAlive()) {
            throw srv.failure("died during the trial");
        }
        return s;
    }

    /**
     * Starts every server and runs each through the full warm-up in every cell, unmeasured. A
     * failure is printed and left to that server's trials, which record it.
     *
     * @param cells   the cells
     * @param servers the servers
     */
    void prepare(List<Cell> cells, List<String> servers) {
        for (Cell cell : cells) {
            for (String server : servers) {
                setup.log().println("[warm-up] " + cell.label() + " " + server);
                try {
                    trial(cell, server, 0, 0);
                } catch (Exception | Error e) {
                    setup.log().println("[warm-up] " + cell.label() + " " + server + " FAILED: "
                            + e.getMessage());
                }
            }
        }
    }

    /**
     * The process id of a running server, for tests.
     *
     * @param server the server's name
     * @return its pid, or -1 if this race has not started it
     */
    long pid(String server) {
        Running r = running.get(server);
        return r == null ? -1 : r.child().pid();
    }

    /** Stops every server this race started. */
    @Override
    public void close() {
        running.values().forEach(r -> r.child().close());
        running.clear();
    }

    private List<String> serverCommand(String server) {
        if (server.equals(FLOOR) || server.equals(COMPLETION_FLOOR)) {
            return List.of(setup.cProgram(server.equals(FLOOR) ? "echo-server"
                    : "uring-echo-server").toString(), "--port", "0");
        }
        List<String> args = new ArrayList<>();
        if (server.startsWith("pollen:")) {
            Setup.variantSuffixes(server).forEach(v -> args.add(Setup.propertyFlag(v)));
            server = "pollen:" + Setup.poller(server);
        }
        args.addAll(List.of("-cp", setup.classpath(), ServerMain.class.getName(), server));
        return setup.javaCommand(args.toArray(String[]::new));
    }

    private Sample cLoadgen(Path loadgen, Child srv, int port, int[] c, Cell cell, String server,
                            int round, int position, String tag, double warmup)
            throws IOException {
        List<String> cmd = List.of(loadgen.toString(), "--port", Integer.toString(port),
                "--conns", Integer.toString(c[0]), "--size", Integer.toString(c[1]),
                "--depth", Integer.toString(c[2]), "--warmup", Double.toString(warmup),
                "--seconds", Double.toString(setup.seconds()));
        try (Child lg = Child.client("loadgen-" + tag, setup.clientCpu(), cmd, setup.work())) {
            CpuTime start = null;
            CpuTime end = null;
            String result = null;
            for (String line; (line = lg.readLine()) != null; ) {
                if (line.equals("# measuring")) {
                    start = srv.cpu();
                } else if (line.equals("# done")) {
                    end = srv.cpu();
                } else if (line.startsWith("{")) {
                    result = line;
                }
            }
            lg.await(30_000);
            if (start == null || end == null || result == null) {
                throw lg.failure("ended without its markers and result line");
            }
            JsonNode r = JSON.readTree(result);
            CpuTime used = end.minus(start);
            JsonNode lat = r.path("latency_us");
            return new Sample(round, position, cell.name(), server, r.path("messages").asDouble(),
                    r.path("seconds").asDouble(), used.userNanos(), used.systemNanos(),
                    lat.path("p50").asDouble(), lat.path("p99").asDouble(),
                    lat.path("p999").asDouble(), r.path("errors").asLong(),
                    r.path("first_error").isNull() ? null : r.path("first_error").asText());
        }
    }

    /**
     * The fallback without a C compiler: the examples jar's load generator, once for the
     * warm-up and once measured; the server's CPU time is read around the measured process, so
     * the window also holds its start-up and its connects (the server is idle meanwhile).
     */
    private Sample javaLoadgen(Child srv, int port, int[] c, Cell cell, String server, int round,
                               int position, String tag, double warmup) throws IOException {
        if (setup.examplesJar() == null) {
            throw new IllegalStateException("no load generator: neither a C compiler nor the "
                    + "examples jar (build it: mvn -q -DskipTests package -pl examples -am)");
        }
        if (warmup > 0) {
            javaLoadgenRun(port, c, warmup, tag + "-warmup");
        }
        CpuTime start = srv.cpu();
        long t0 = System.nanoTime();
        String line = javaLoadgenRun(port, c, setup.seconds(), tag);
        CpuTime used = srv.cpu().minus(start);
        double wall = (System.nanoTime() - t0) / 1e9;
        Matcher m = JAVA_LOADGEN.matcher(line);
        if (!m.find()) {
            throw new IllegalStateException("the examples loadgen printed no result line: " + line);
        }
        return new Sample(round, position, cell.name(), server, Double.parseDouble(m.group(4)),
                Math.min(wall, setup.seconds()), used.userNanos(), used.systemNanos(),
                Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                Double.parseDouble(m.group(3)), Long.parseLong(m.group(5)),
                line.contains("first-error=") ? line.substring(line.indexOf("first-error=")) : null);
    }

    private String javaLoadgenRun(int port, int[] c, double seconds, String tag)
            throws IOException {
        List<String> cmd = setup.javaCommand("-jar", setup.examplesJar().toString(), "loadgen",
                "--connect", "127.0.0.1:" + port, "--conns", Integer.toString(c[0]),
                "--size", Integer.toString(c[1]), "--depth", Integer.toString(c[2]),
                "--seconds", Double.toString(seconds));
        try (Child lg = Child.client("loadgen-" + tag, setup.clientCpu(), cmd, setup.work())) {
            String last = "";
            for (String line; (line = lg.readLine()) != null; ) {
                last = line;
            }
            lg.await(60_000);
            return last;
        }
    }
}
