package dev.pollen.bench.external;

import dev.pollen.bench.report.Machine;
import dev.pollen.bench.report.Targets;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The external benchmark's command line (run it through {@code benchmarks/external/run.sh},
 * which compiles the C programs and passes their directory): the echo part, the proxy part, or
 * both, in interleaved rounds, then the results files.
 *
 * <p><b>Threading:</b> a command-line program; single-threaded.
 */
@Command(name = "external", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Echo servers against a C epoll floor and Netty, and Pollen's proxy against",
            "HAProxy, each in its own pinned process; CPU per message or request from the kernel."})
public final class External implements Callable<Integer> {

    @Parameters(index = "0", defaultValue = "all", paramLabel = "PART",
            description = "echo, proxy, all, or report (re-render results.md and the charts from"
                    + " the JSON in --out) (default: ${DEFAULT-VALUE}).")
    String part;

    @Option(names = "--smoke", description = "A quick check that everything runs: 1 round, "
            + "1 s warm-up, 1 s measured, results in benchmarks/target/external-smoke. "
            + "The numbers mean nothing.")
    boolean smoke;

    @Option(names = "--rounds", paramLabel = "N", description = "Interleaved rounds "
            + "(default: 3; smoke: 1).")
    Integer rounds;

    @Option(names = "--warmup", paramLabel = "S", description = "Seconds of load before each "
            + "measured window (default: 4; smoke: 1); echo servers get it once per cell before "
            + "the first round, and 0.5 s before each window.")
    Double warmup;

    @Option(names = "--seconds", paramLabel = "S", description = "Seconds measured per trial "
            + "(default: 8; smoke: 1).")
    Double seconds;

    @Option(names = "--echo-cells", split = ",", paramLabel = "CELL",
            description = "Echo cells CONNSxSIZE[xDEPTH] (default: 64x64,1000x64,16x16384x4).")
    List<String> echoCells;

    @Option(names = "--servers", split = ",", paramLabel = "NAME",
            description = "Echo servers: c:epoll, c:io_uring, netty:epoll, netty:io_uring, netty:nio, "
                    + "pollen:<poller>, pollen:<poller>+<name>=<value> (run with "
                    + "-Dpollen.<name>=<value>; suffixes combine) (default: the C floors, Netty epoll "
                    + "and io_uring, Pollen on every available poller).")
    List<String> servers;

    @Option(names = "--proxy-cells", split = ",", paramLabel = "CELL",
            description = "Proxy cells: http-<conns>, redis-get[-<clients>], "
                    + "redis-set[-<clients>], bulk[-<conns>] "
                    + "(default: http-50,http-1000,redis-get,redis-set,bulk).")
    List<String> proxyCells;

    @Option(names = "--proxies", split = ",", paramLabel = "NAME",
            description = "Proxies: haproxy, haproxy+splice (option splice-request/-response), "
                    + "pollen:<poller>, pollen:<poller>+copy (splicing off), pollen:<poller>+pipe=BYTES "
                    + "(splice pipe size), pollen:<poller>+pool=PIPES (splice pipe pool), "
                    + "pollen:<poller>+<name>=<value> (-Dpollen.<name>=<value>) (default: haproxy and "
                    + "Pollen on every available poller).")
    List<String> proxies;

    @Option(names = "--cpus", paramLabel = "SERVER,CLIENT", defaultValue = "1,0",
            description = "The CPU for the server or proxy and the CPU for the clients and "
                    + "upstreams (default: ${DEFAULT-VALUE}); 'none' runs unpinned.")
    String cpus;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the results go (default: "
            + "benchmarks/results/external; smoke: benchmarks/target/external-smoke).")
    Path out;

    @Option(names = "--c-bin", paramLabel = "DIR", description = "The compiled echo-server, "
            + "uring-echo-server and loadgen (run.sh builds them); without them the C floors are "
            + "skipped and the examples' loadgen is the client.")
    Path cBin;

    @Option(names = "--examples-jar", paramLabel = "JAR",
            defaultValue = "examples/target/pollen-examples.jar",
            description = "The examples jar: the proxy, and the fallback load generator "
                    + "(default: ${DEFAULT-VALUE}).")
    Path examplesJar;

    @Option(names = "--jvm-flag", paramLabel = "FLAG", description = "An extra flag for every "
            + "JVM contestant (repeatable).")
    List<String> extraJvmFlags = new ArrayList<>();

    /**
     * Runs the command line.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new External()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream log = System.out;
        Path dir = out != null ? out : Path.of(smoke ? "benchmarks/target/external-smoke"
                : "benchmarks/results/external");
        if (part.equals("report")) {
            List<Part> parts = ExternalReport.render(dir);
            log.println("external: rendered " + dir.resolve(ExternalReport.MARKDOWN) + " from "
                    + parts.size() + " part file(s)");
            return 0;
        }
        if (!List.of("echo", "proxy", "all").contains(part)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "PART must be echo, proxy, all or report, got '" + part + "'");
        }
        try { // bad names fail here, before anything starts
            (echoCells != null ? echoCells : EchoRace.DEFAULT_CELLS).forEach(EchoRace::cell);
            (proxyCells != null ? proxyCells : ProxyRace.DEFAULT_CELLS).forEach(ProxyRace::cell);
            EchoRace.checkNames(servers != null ? servers : List.of());
            ProxyRace.checkNames(proxies != null ? proxies : List.of());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        Setup setup = setup(dir, log);
        int exit = 0;
        if (!part.equals("proxy")) {
            exit = Math.max(exit, echo(setup, dir));
        }
        if (!part.equals("echo")) {
            exit = Math.max(exit, proxy(setup, dir));
        }
        if (exit == 0) { // keep the children's logs only when something failed
            try (var files = Files.walk(setup.work())) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        } else {
            log.println("external: the children's logs are in " + setup.work());
        }
        return exit;
    }

    private Setup setup(Path dir, PrintStream log) throws IOException {
        int r = rounds != null ? rounds : smoke ? 1 : 3;
        double w = warmup != null ? warmup : smoke ? 1 : 4;
        double s = seconds != null ? seconds : smoke ? 1 : 8;
        CommandLine cl = new CommandLine(this);
        if (r < 1 || w < 0 || !(s > 0)) {
            throw new CommandLine.ParameterException(cl, "--rounds must be at least 1, --warmup "
                    + "at least 0 and --seconds more than 0");
        }
        int serverCpu = -1;
        int clientCpu = -1;
        if (!cpus.equals("none")) {
            String[] c = cpus.split(",");
            if (c.length != 2 || !c[0].matches("\\d+") || !c[1].matches("\\d+")
                    || c[0].equals(c[1])) {
                throw new CommandLine.ParameterException(cl, "--cpus must be two different CPU "
                        + "numbers SERVER,CLIENT (e.g. 1,0) or 'none', got '" + cpus + "'");
            }
            int n = Runtime.getRuntime().availableProcessors();
            if (Tools.find("taskset") == null) {
                log.println("external: WARNING: taskset is not installed (apt-get install "
                        + "util-linux): running unpinned, server and client share the CPUs");
            } else if (n < 2 || Integer.parseInt(c[0]) >= n || Integer.parseInt(c[1]) >= n) {
                log.println("external: WARNING: this machine has " + n + " CPU(s) for CPUs "
                        + cpus + ": running unpinned, server and client share the CPUs");
            } else {
                serverCpu = Integer.parseInt(c[0]);
                clientCpu = Integer.parseInt(c[1]);
            }
        }
        Path work = Files.createTempDirectory("pollen-external-");
        log.println("external: logs and configurations in " + work + " (removed after a run "
                + "without errors)");
        List<String> flags = new ArrayList<>(List.of(
                "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED", "-Xms512m", "-Xmx512m", "-XX:+UseSerialGC"));
        if (Runtime.version().feature() >= 23) {
            // lets Netty use sun.misc.Unsafe, its fastest setting (it avoids Unsafe on JDK 24+
            // unless allowed), and keeps the JVMs quiet about it
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        flags.addAll(extraJvmFlags);
        Path c = cBin != null && Files.isExecutable(cBin.resolve("loadgen")) ? cBin : null;
        if (c == null) {
            log.println("external: no compiled C programs (" + (cBin == null ? "no --c-bin"
                    : cBin + " has no loadgen") + "): no C floor, and the examples' Java loadgen "
                    + "is the client");
        }
        Path jar = Files.isRegularFile(examplesJar) ? examplesJar : null;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new Setup(work, serverCpu, clientCpu, r, w, s, java, List.copyOf(flags),
                System.getProperty("java.class.path"), c, jar, log);
    }

    private int echo(Setup setup, Path dir) throws IOException {
        try (EchoRace race = new EchoRace(setup)) {
            return echo(setup, dir, race);
        }
    }

    private int echo(Setup setup, Path dir, EchoRace race) throws IOException {
        List<String> notes = new ArrayList<>();
        List<Cell> cells = new ArrayList<>();
        for (String name : echoCells != null ? echoCells : EchoRace.DEFAULT_CELLS) {
            cells.add(EchoRace.cell(name));
        }
        List<String> names = servers != null ? race.available(servers, notes)
                : race.defaultServers(notes);
        if (setup.cProgram("loadgen") == null && setup.examplesJar() == null) {
            notes.add("no load generator: neither the C one nor the examples jar");
            names = List.of();
        }
        notes.forEach(n -> setup.log().println("external: echo: " + n));
        if (names.isEmpty()) {
            setup.log().println("external: echo: SKIPPED, nothing to run");
            return 0;
        }
        setup.log().println("external: echo: " + String.join(", ", names) + "; client: "
                + race.client());
        race.prepare(cells, names);
        List<Sample> samples = Rounds.run(setup.rounds(), cells, names, race::trial, setup.log());
        return finish(dir, new Part("echo", now(), Machine.describe(), jdk(), EchoRace.FLOOR,
                setup.settings(race.client()), cells, names, notes, samples,
                Summary.of(cells, names, EchoRace.FLOOR, samples)));
    }

    private int proxy(Setup setup, Path dir) throws IOException {
        List<String> notes = new ArrayList<>();
        List<Cell> cells = ProxyRace.runnableCells(proxyCells != null ? proxyCells
                : ProxyRace.DEFAULT_CELLS, notes);
        try (ProxyRace race = new ProxyRace(setup)) {
            List<String> names = race.available(proxies != null ? proxies
                    : ProxyRace.defaultProxies(), notes);
            notes.forEach(n -> setup.log().println("external: proxy: " + n));
            if (cells.isEmpty() || names.isEmpty()) {
                setup.log().println("external: proxy: SKIPPED, nothing to run");
                return 0;
            }
            setup.log().println("external: proxy: " + String.join(", ", names));
            List<Sample> samples = Rounds.run(setup.rounds(), cells, names, race::trial,
                    setup.log());
            return finish(dir, new Part("proxy", now(), Machine.describe(), jdk(),
                    ProxyRace.HAPROXY, setup.settings(ProxyRace.client()), cells, names, notes,
                    samples, Summary.of(cells, names, ProxyRace.HAPROXY, samples)));
        }
    }

    /** Writes the files and prints the targets; exit 1 if any trial failed. */
    private static int finish(Path dir, Part p) throws IOException {
        ExternalReport.write(dir, p);
        for (Targets.Check c : ExternalReport.targets(p)) {
            System.out.printf(Locale.ROOT, "%-13s %s: %s%n", c.status(), c.target(), c.measured());
        }
        long failed = p.samples().stream().filter(s -> !s.valid()).count();
        System.out.println("external: " + p.part() + ": wrote " + dir.resolve(p.part() + ".json")
                + ", " + dir.resolve(ExternalReport.MARKDOWN) + " and the chart; " + failed
                + " of " + p.samples().size() + " trials failed");
        return failed == 0 ? 0 : 1;
    }

    private static String now() {
        return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
    }

    private static String jdk() {
        return System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name")
                + ")";
    }
}
