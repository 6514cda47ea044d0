package dev.pollen.bench.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pollen.bench.AvailablePollers;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The proxy part: Pollen's examples {@code proxy} (one loop) against HAProxy (one thread,
 * {@code mode tcp}), each in its own process pinned to one CPU, in front of real servers pinned
 * with their clients to the other CPU: nginx under {@code wrk} (HTTP keep-alive), redis-server
 * under {@code redis-benchmark} (GET and SET), and a bulk download of a large file from nginx
 * through the proxy. The proxy's CPU time per request (bulk: per MiB) comes from the kernel over
 * the measured client run.
 *
 * <p>Cells: {@code http-<conns>} (wrk, keep-alive), {@code redis-get[-<clients>]},
 * {@code redis-set[-<clients>]} (50 clients by default) and {@code bulk[-<conns>]} (4 by
 * default). A cell whose programs are not installed is skipped with a note naming them.
 *
 * <p>Proxies: {@code haproxy} (the reference; it copies, HAProxy's default),
 * {@code haproxy+splice} ({@code option splice-request} and {@code splice-response}: always
 * splice), {@code pollen:<poller>} (splices where the poller can, see {@code dev.pollen.net.Pipe})
 * {@code pollen:<poller>+copy} ({@code -Dpollen.pipe.splice=false}),
 * {@code pollen:<poller>+pipe=<bytes>} ({@code -Dpollen.splice.pipeSize}) and
 * {@code pollen:<poller>+pool=<pipes>} ({@code -Dpollen.splice.pool}) and
 * {@code pollen:<poller>+<name>=<value>} (any {@code -Dpollen.<name>=<value>}); suffixes combine.
 *
 * <p><b>Threading:</b> one thread.
 */
final class ProxyRace implements AutoCloseable {

    /** The reference every ratio is taken against. */
    static final String HAPROXY = "haproxy";
    /** HAProxy splicing both ways ({@code option splice-request}, {@code splice-response}). */
    static final String HAPROXY_SPLICE = "haproxy+splice";
    /** The suffix of a Pollen proxy run with splicing switched off. */
    static final String COPY = "+copy";
    /** The suffix of a Pollen proxy asking for splice pipes of another size, then the bytes. */
    static final String PIPE = "+pipe=";
    /** The suffix of a Pollen proxy with another splice-pipe pool size, then the count. */
    static final String POOL = "+pool=";
    /** The cells issue 15 names. */
    static final List<String> DEFAULT_CELLS = List.of("http-50", "http-1000", "redis-get",
            "redis-set", "bulk");
    /** The size of the file the bulk cell downloads. */
    static final int BULK_MIB = 32;

    private static final Pattern CELL = Pattern.compile("(http|redis-get|redis-set|bulk)(?:-(\\d+))?");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** wrk runs the warm-up is split into (at most one per second of warm-up). */
    private static final int WARMUP_TURNOVERS = 4;
    private static final String SMALL_BODY = "pollen proxy benchmark: a small HTTP response body.\n";

    private final Setup setup;
    private Child nginx;
    private int nginxPort;
    private Child redis;
    private int redisPort;
    private Path wrkScript;

    ProxyRace(Setup setup) {
        this.setup = setup;
    }

    /**
     * A cell from its name.
     *
     * @param name e.g. {@code http-50}, {@code redis-get}, {@code bulk}
     * @return the cell
     * @throws IllegalArgumentException naming the expected forms
     */
    static Cell cell(String name) {
        Matcher m = CELL.matcher(name);
        if (!m.matches() || (m.group(1).equals("http") && m.group(2) == null)) {
            throw new IllegalArgumentException("proxy cell '" + name + "' is not one of "
                    + "http-<conns>, redis-get[-<clients>], redis-set[-<clients>], bulk[-<conns>]");
        }
        int n = count(m);
        return switch (m.group(1)) {
            case "http" -> new Cell(name, "HTTP, " + n + " conns", "request");
            case "redis-get" -> new Cell(name, "redis GET, " + n + " clients", "request");
            case "redis-set" -> new Cell(name, "redis SET, " + n + " clients", "request");
            default -> new Cell(name, "bulk, " + n + " conns", "MiB");
        };
    }

    private static int count(Matcher m) {
        if (m.group(2) != null) {
            int n = Integer.parseInt(m.group(2));
            if (n < 1) {
                throw new IllegalArgumentException("proxy cell '" + m.group() + "': the count "
                        + "must be at least 1");
            }
            return n;
        }
        return m.group(1).equals("bulk") ? 4 : 50;
    }

    /**
     * The cells of {@code wanted} whose programs are installed; a note names what is missing
     * for each other one.
     *
     * @param wanted cell names
     * @param notes  where the reasons go
     * @return the runnable cells
     */
    static List<Cell> runnableCells(List<String> wanted, List<String> notes) {
        List<Cell> out = new ArrayList<>();
        for (String w : wanted) {
            Cell c = cell(w);
            List<String> missing = w.startsWith("redis")
                    ? Tools.missing("redis-server", "redis-benchmark")
                    : Tools.missing("nginx", "wrk");
            if (missing.isEmpty()) {
                out.add(c);
            } else {
                notes.add("skipped " + c.label() + ": " + String.join(" and ", missing)
                        + " not installed (Debian: apt-get install "
                        + (w.startsWith("redis") ? "redis-server redis-tools" : "nginx-light wrk")
                        + ")");
            }
        }
        return out;
    }

    /**
     * Checks that every name is a proxy's name, available here or not.
     *
     * @param names proxy names
     * @throws IllegalArgumentException for the first name that is no proxy at all
     */
    static void checkNames(List<String> names) {
        for (String w : names) {
            if (!isHaproxy(w) && !w.startsWith("pollen:")) {
                throw new IllegalArgumentException("unknown proxy '" + w + "': use haproxy, "
                        + "haproxy+splice, pollen:<poller>, pollen:<poller>+copy or "
                        + "pollen:<poller>+<name>=<value> (here: "
                        + String.join(", ", AvailablePollers.pollen())
                        + ")");
            }
            if (w.startsWith("pollen:")) {
                for (String option : Setup.variantSuffixes(w)) {
                    if (!option.equals(COPY.substring(1))) {
                        Setup.propertyFlag(option);
                    }
                }
            }
        }
    }

    /**
     * The proxies of {@code wanted} that can run here; a note says why each other one cannot.
     *
     * @param wanted {@code haproxy} and {@code pollen:<poller>} names
     * @param notes  where the reasons go
     * @return the runnable ones
     * @throws IllegalArgumentException for a name that is no proxy at all
     */
    List<String> available(List<String> wanted, List<String> notes) {
        checkNames(wanted);
        List<String> out = new ArrayList<>();
        List<String> pollers = AvailablePollers.pollen();
        for (String w : wanted) {
            String why;
            if (isHaproxy(w)) {
                why = Tools.find("haproxy") == null ? "haproxy is not installed (apt-get install "
                        + "haproxy); no ratio can be computed" : null;
            } else {
                String p = Setup.poller(w);
                why = setup.examplesJar() == null ? "the examples jar is not built (mvn -q "
                        + "-DskipTests package -pl examples -am)"
                        : pollers.contains(p) ? null : "Pollen's poller '" + p + "' is not "
                        + "available here (" + AvailablePollers.describe() + ")";
            }
            if (why == null) {
                out.add(w);
            } else {
                notes.add("skipped " + w + ": " + why);
            }
        }
        return out;
    }

    /**
     * The default proxies: HAProxy and Pollen's proxy on every available poller.
     *
     * @return the names
     */
    static List<String> defaultProxies() {
        List<String> out = new ArrayList<>(List.of(HAPROXY));
        for (String p : AvailablePollers.pollen()) {
            out.add("pollen:" + p);
        }
        return out;
    }

    /**
     * The clients' description for the results.
     *
     * @return which programs, and where they ran
     */
    static String client() {
        return "wrk -t1 (HTTP keep-alive, nginx's " + SMALL_BODY.length() + "-byte answer; bulk: "
                + "a " + BULK_MIB + " MiB file) and redis-benchmark (redis), each on the client "
                + "CPU with its server (nginx, 1 process; redis-server)";
    }

    /**
     * One trial: start the proxy in front of the cell's server, warm it up, measure one client
     * run, stop it.
     *
     * @param cell     the cell
     * @param proxy    the proxy
     * @param round    the round
     * @param position the place in the round
     * @return the sample
     * @throws IOException if a process cannot be started or read
     */
    Sample trial(Cell cell, String proxy, int round, int position) throws IOException {
        Matcher m = CELL.matcher(cell.name());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a proxy cell: " + cell.name());
        }
        int n = count(m);
        String kind = m.group(1);
        int upstream = kind.startsWith("redis") ? redisPort() : nginxPort();
        String tag = "r" + round + "-" + cell.name() + "-" + proxy;
        int port = isHaproxy(proxy) ? freePort() : 0;
        try (Child p = Child.server("proxy-" + tag, setup.serverCpu(),
                proxyCommand(proxy, port, upstream), setup.work())) {
            if (isHaproxy(proxy)) {
                p.awaitPort(port, 30_000);
            } else {
                port = p.awaitListening(60_000);
            }
            Sample s = switch (kind) {
                case "http" -> wrk(p, port, "/small", n, cell, proxy, round, position, tag, 1);
                case "bulk" -> wrk(p, port, "/bulk", n, cell, proxy, round, position, tag,
                        1.0 / (1 << 20));
                default -> redisBenchmark(p, port, kind.substring("redis-".length()), n, cell,
                        proxy, round, position, tag);
            };
            if (!p.isAlive()) {
                throw p.failure("died during the trial");
            }
            return s;
        }
    }

    private List<String> proxyCommand(String proxy, int port, int upstream) throws IOException {
        if (isHaproxy(proxy)) {
            Path cfg = setup.work().resolve("haproxy-" + upstream + "-" + port + ".cfg");
            Files.writeString(cfg, String.join("\n",
                    "# generated by Pollen's benchmark harness: one thread, mode tcp, loopback only",
                    "global",
                    "    nbthread 1",
                    "    maxconn 4096",
                    "defaults",
                    "    mode tcp",
                    "    maxconn 4096",
                    "    timeout connect 5s",
                    "    timeout client 300s",
                    "    timeout server 300s",
                    proxy.equals(HAPROXY_SPLICE)
                            ? "    option splice-request\n    option splice-response" : "",
                    "frontend bench",
                    "    bind 127.0.0.1:" + port,
                    "    default_backend upstream",
                    "backend upstream",
                    "    server u1 127.0.0.1:" + upstream,
                    ""), StandardCharsets.UTF_8);
            return List.of(Tools.find("haproxy").toString(), "-db", "-f", cfg.toString());
        }
        List<String> args = new ArrayList<>();
        if (proxy.endsWith(COPY)) {
            args.add("-Dpollen.pipe.splice=false");
        }
        for (String option : Setup.variantSuffixes(proxy)) {
            if (option.startsWith(PIPE.substring(1))) {
                args.add("-Dpollen.splice.pipeSize=" + option.substring(PIPE.length() - 1));
            } else if (option.startsWith(POOL.substring(1))) {
                args.add("-Dpollen.splice.pool=" + option.substring(POOL.length() - 1));
            } else if (!option.equals(COPY.substring(1))) {
                args.add(Setup.propertyFlag(option));
            }
        }
        args.addAll(List.of("-jar", setup.examplesJar().toString(), "proxy",
                "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:" + upstream,
                "--loops", "1", "--poller", Setup.poller(proxy), "--grace", "100"));
        return setup.javaCommand(args.toArray(String[]::new));
    }

    private static boolean isHaproxy(String name) {
        return name.equals(HAPROXY) || name.equals(HAPROXY_SPLICE);
    }

    /**
     * wrk: the warm-up as several short runs, then the measured run with the proxy's CPU read
     * around it. Each wrk run opens its connections and closes them at its end, so splitting the
     * warm-up makes the proxy go through {@link #WARMUP_TURNOVERS} connection turnovers before
     * the window: a fresh JVM's first burst of closes and reconnects takes branches its
     * compiled code has never seen, and the recompilation that follows (about a second) would
     * otherwise fall inside the measured window (docs/benchmarks.md, "Decisions").
     */
    private Sample wrk(Child proxy, int port, String path, int conns, Cell cell, String name,
                       int round, int position, String tag, double unitsPerByte)
            throws IOException {
        String url = "http://127.0.0.1:" + port + path;
        if (setup.warmup() > 0) {
            int runs = (int) Math.max(1, Math.min(WARMUP_TURNOVERS, Math.floor(setup.warmup())));
            for (int i = 0; i < runs; i++) {
                runWrk(url, conns, setup.warmup() / runs, tag + "-warmup" + (i + 1));
            }
        }
        CpuTime start = proxy.cpu();
        JsonNode r = runWrk(url, conns, setup.seconds(), tag);
        CpuTime used = proxy.cpu().minus(start);
        double units = unitsPerByte == 1 ? r.path("requests").asDouble()
                : r.path("bytes").asDouble() * unitsPerByte;
        long errors = r.path("errors").asLong() + r.path("status_errors").asLong();
        return new Sample(round, position, cell.name(), name, units,
                r.path("duration_us").asDouble() / 1e6, used.userNanos(), used.systemNanos(),
                r.path("p50").asDouble(), r.path("p99").asDouble(), r.path("p999").asDouble(),
                errors, errors == 0 ? null : "wrk counted " + r.path("errors").asLong()
                + " socket errors and " + r.path("status_errors").asLong() + " non-2xx answers");
    }

    private JsonNode runWrk(String url, int conns, double seconds, String tag) throws IOException {
        long whole = Math.max(1, Math.round(seconds));
        List<String> cmd = List.of(Tools.find("wrk").toString(), "-t1", "-c" + conns,
                "-d" + whole + "s", "--timeout", "10s", "-s", wrkScript().toString(), url);
        try (Child c = Child.client("wrk-" + tag, setup.clientCpu(), cmd, setup.work())) {
            String result = null;
            StringBuilder all = new StringBuilder();
            for (String line; (line = c.readLine()) != null; ) {
                all.append(line).append('\n');
                if (line.startsWith("{")) {
                    result = line;
                }
            }
            int rc = c.await(whole * 1000 + 60_000);
            if (result == null || rc != 0) {
                throw c.failure("exited with status " + rc + " without a result line: " + all);
            }
            return JSON.readTree(result);
        }
    }

    private Path wrkScript() throws IOException {
        if (wrkScript == null) {
            wrkScript = setup.work().resolve("report.lua");
            Files.writeString(wrkScript, String.join("\n",
                    "-- generated by Pollen's benchmark harness: one JSON line when wrk is done",
                    "done = function(summary, latency, requests)",
                    "  local e = summary.errors",
                    "  io.write(string.format('{\"requests\":%d,\"duration_us\":%d,\"bytes\":%d,"
                            + "\"errors\":%d,\"status_errors\":%d,\"p50\":%d,\"p99\":%d,"
                            + "\"p999\":%d}\\n',",
                    "    summary.requests, summary.duration, summary.bytes,",
                    "    e.connect + e.read + e.write + e.timeout, e.status,",
                    "    latency:percentile(50), latency:percentile(99),"
                            + " latency:percentile(99.9)))",
                    "end", ""), StandardCharsets.UTF_8);
        }
        return wrkScript;
    }

    /**
     * redis-benchmark runs a request count, not a time: the warm-up run's rate sizes the
     * measured run to last about {@code seconds}.
     */
    private Sample redisBenchmark(Child proxy, int port, String test, int clients, Cell cell,
                                  String name, int round, int position, String tag)
            throws IOException {
        double[] warm = runRedisBenchmark(port, test, clients,
                (long) Math.max(2_000, 20_000 * setup.warmup()), tag + "-warmup");
        long requests = (long) Math.max(2_000, warm[0] * setup.seconds());
        CpuTime start = proxy.cpu();
        long t0 = System.nanoTime();
        double[] r = runRedisBenchmark(port, test, clients, requests, tag);
        CpuTime used = proxy.cpu().minus(start);
        double wall = (System.nanoTime() - t0) / 1e9;
        return new Sample(round, position, cell.name(), name, requests,
                r[0] > 0 ? requests / r[0] : wall, used.userNanos(), used.systemNanos(),
                r[1] * 1000, r[2] * 1000, null, 0, null);
    }

    /** Returns {requests per second, p50 ms, p99 ms} from redis-benchmark's CSV line. */
    private double[] runRedisBenchmark(int port, String test, int clients, long requests,
                                       String tag) throws IOException {
        List<String> cmd = List.of(Tools.find("redis-benchmark").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(port), "-c", Integer.toString(clients),
                "-n", Long.toString(requests), "-t", test, "--csv");
        try (Child c = Child.client("redis-benchmark-" + tag, setup.clientCpu(), cmd,
                setup.work())) {
            List<String> header = null;
            List<String> values = null;
            StringBuilder all = new StringBuilder();
            for (String line; (line = c.readLine()) != null; ) {
                all.append(line).append('\n');
                List<String> f = Arrays.stream(line.split(","))
                        .map(x -> x.replace("\"", "").strip()).toList();
                if (f.contains("rps")) {
                    header = f;
                } else if (header != null && f.size() == header.size()
                        && f.get(0).equalsIgnoreCase(test)) {
                    values = f;
                }
            }
            int rc = c.await(600_000);
            if (rc != 0 || values == null) {
                throw c.failure("exited with status " + rc + " without a " + test.toUpperCase(
                        Locale.ROOT) + " result line: " + all);
            }
            return new double[] {Double.parseDouble(values.get(header.indexOf("rps"))),
                Double.parseDouble(values.get(header.indexOf("p50_latency_ms"))),
                Double.parseDouble(values.get(header.indexOf("p99_latency_ms")))};
        }
    }

    private int nginxPort() throws IOException {
        if (nginx == null) {
            Path dir = Files.createDirectories(setup.work().resolve("nginx"));
            Path www = Files.createDirectories(dir.resolve("www"));
            byte[] mib = new byte[1 << 20];
            for (int i = 0; i < mib.length; i++) {
                mib[i] = (byte) (i * 31 + (i >>> 11));
            }
            try (OutputStream out = Files.newOutputStream(www.resolve("bulk"))) {
                for (int i = 0; i < BULK_MIB; i++) {
                    out.write(mib);
                }
            }
            nginxPort = freePort();
            Path conf = dir.resolve("nginx.conf");
            Files.writeString(conf, String.join("\n",
                    "# generated by Pollen's benchmark harness: one process, loopback only",
                    "daemon off;",
                    "master_process off;",
                    "worker_processes 1;",
                    "worker_rlimit_nofile 20000;",
                    "error_log " + dir.resolve("error.log") + " warn;",
                    "pid " + dir.resolve("nginx.pid") + ";",
                    "events { worker_connections 8192; }",
                    "http {",
                    "    access_log off;",
                    "    client_body_temp_path " + dir.resolve("body") + ";",
                    "    proxy_temp_path " + dir.resolve("proxy") + ";",
                    "    fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                    "    uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                    "    scgi_temp_path " + dir.resolve("scgi") + ";",
                    "    keepalive_requests 100000000;",
                    "    keepalive_timeout 300s;",
                    "    sendfile on;",
                    "    tcp_nodelay on;",
                    "    server {",
                    "        listen 127.0.0.1:" + nginxPort + " backlog=4096;",
                    "        location = /small { default_type text/plain; return 200 \""
                            + SMALL_BODY.replace("\n", "\\n") + "\"; }",
                    "        location = /bulk { root " + www + "; default_type "
                            + "application/octet-stream; }",
                    "    }",
                    "}", ""), StandardCharsets.UTF_8);
            nginx = Child.server("nginx", setup.clientCpu(), List.of(Tools.find("nginx").toString(),
                    "-p", dir.toString(), "-c", conf.toString()), setup.work());
            nginx.awaitPort(nginxPort, 30_000);
        }
        return nginxPort;
    }

    private int redisPort() throws IOException {
        if (redis == null) {
            redisPort = freePort();
            Path dir = Files.createDirectories(setup.work().resolve("redis"));
            redis = Child.server("redis-server", setup.clientCpu(), List.of(
                    Tools.find("redis-server").toString(), "--bind", "127.0.0.1",
                    "--port", Integer.toString(redisPort), "--save", "", "--appendonly", "no",
                    "--dir", dir.toString(), "--maxclients", "10000", "--protected-mode", "no"),
                    setup.work());
            redis.awaitPort(redisPort, 30_000);
        }
        return redisPort;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops the upstream servers. */
    @Override
    public void close() {
        if (nginx != null) {
            nginx.stop();
        }
        if (redis != null) {
            redis.stop();
        }
    }
}
