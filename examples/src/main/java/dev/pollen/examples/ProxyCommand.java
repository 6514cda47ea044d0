package dev.pollen.examples;

import dev.pollen.group.LoopGroup;
import dev.pollen.net.tls.TlsConfig;
import dev.pollen.proxy.Balance;
import dev.pollen.proxy.ProxyServer;
import dev.pollen.proxy.ProxyStats;
import dev.pollen.proxy.TcpProxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code proxy}: the library's {@link TcpProxy} on a loop group until SIGINT/SIGTERM, then a
 * graceful drain and a summary. Everything proxy-like (failover, clean refusals, timeouts,
 * drain, counters) is the library's; this class only maps flags to its builder.
 *
 * <p><b>Threading:</b> the main thread waits for the signal (handled on the group's first loop
 * with {@code addSignalHandler}); the loops proxy.
 */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = {"Run a TCP proxy (dev.pollen.proxy.TcpProxy) until SIGINT/SIGTERM.",
            "Several --upstream values are tried in order (--balance first) or in turn",
            "(--balance roundrobin); a failed connect moves to the next one. A client no",
            "upstream takes gets a clean end-of-stream. --tls-cert/--tls-key terminate TLS",
            "from clients; --upstream-tls originates it.",
            "Prints 'listening HOST:PORT poller=NAME' once it accepts; upstream failures go to",
            "stderr as they happen (at most one line a second). On the signal it stops",
            "accepting, lets open connections finish for a grace period, closes the rest,",
            "and prints a summary (connections, bytes each way, errors)."})
public final class ProxyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PollerOption poller;

    @Mixin
    TlsOptions tls;

    @Option(names = "--upstream-tls",
            description = "Speak TLS to the upstream (verifying its certificate and host name).")
    boolean upstreamTls;

    @Option(names = "--upstream-ca", paramLabel = "PEM",
            description = "With --upstream-tls: trust these certificates (default: the JDK's roots).")
    java.nio.file.Path upstreamCa;

    @Option(names = "--upstream-server-name", paramLabel = "NAME",
            description = "With --upstream-tls: the name to send (SNI) and verify (default: each --upstream host).")
    String upstreamServerName;

    @Option(names = "--listen", required = true, paramLabel = "H:P", converter = HostPort.Converter.class,
            description = "Where to listen, e.g. 127.0.0.1:9000.")
    HostPort listen;

    @Option(names = "--upstream", required = true, paramLabel = "H:P", split = ",",
            converter = HostPort.Converter.class,
            description = "Where to forward, e.g. 127.0.0.1:8000; repeat it or give a comma list for several.")
    List<HostPort> upstreams;

    @Option(names = "--balance", defaultValue = "first", paramLabel = "first|roundrobin",
            description = "Which upstream a new client tries first: always the first listed, or each in turn "
                    + "(default: ${DEFAULT-VALUE}).")
    String balance;

    @Option(names = "--retries", paramLabel = "N",
            description = "Attempts after a failed connect, each on the next upstream (default: one attempt per "
                    + "upstream).")
    Integer retries;

    @Option(names = "--loops", defaultValue = "1", paramLabel = "N",
            description = "Event loops (threads) (default: ${DEFAULT-VALUE}).")
    int loops;

    @Option(names = "--connect-timeout", defaultValue = "5000", paramLabel = "MS",
            description = "Upstream connect timeout in milliseconds, per attempt (default: ${DEFAULT-VALUE}).")
    long connectTimeoutMs;

    @Option(names = "--idle-timeout", defaultValue = "0", paramLabel = "MS",
            description = "Close a connection that moved no byte either way for this long; 0: never "
                    + "(default: ${DEFAULT-VALUE}).")
    long idleTimeoutMs;

    @Option(names = "--grace", defaultValue = "5000", paramLabel = "MS",
            description = "How long open connections may finish after the signal (default: ${DEFAULT-VALUE}).")
    long graceMs;

    private TlsConfig upstreamConfig() {
        TlsConfig.Builder b = TlsConfig.forClient();
        if (upstreamCa != null) {
            try {
                b.trustPem(upstreamCa);
            } catch (java.io.IOException e) {
                throw Checks.bad(spec, "--upstream-ca: " + e.getMessage());
            }
        }
        if (upstreamServerName != null) {
            b.serverName(upstreamServerName);
        }
        return tls.build(b);
    }

    private Balance balance() {
        return switch (balance) {
            case "first" -> Balance.FIRST;
            case "roundrobin", "round-robin" -> Balance.ROUND_ROBIN;
            default -> throw Checks.bad(spec, "--balance must be 'first' or 'roundrobin', got '" + balance + "'");
        };
    }

    /** The proxy these flags describe (also used by the tour). */
    TcpProxy build(TlsConfig serverTls, TlsConfig clientTls) {
        TcpProxy.Builder b = TcpProxy.builder().listen(listen.host(), listen.port()).balance(balance())
                .connectTimeout(Duration.ofMillis(connectTimeoutMs))
                .idleTimeout(idleTimeoutMs == 0 ? null : Duration.ofMillis(idleTimeoutMs))
                .listenTls(serverTls).upstreamTls(clientTls);
        for (HostPort u : upstreams) {
            b.upstream(u.host(), u.port());
        }
        if (retries != null) {
            b.retries(retries);
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw Checks.bad(spec, e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        Checks.positive(spec, loops, "--loops");
        Checks.positive(spec, connectTimeoutMs, "--connect-timeout");
        if (idleTimeoutMs < 0) {
            throw Checks.bad(spec, "--idle-timeout must be 0 (never) or a positive number of milliseconds, got "
                    + idleTimeoutMs);
        }
        if (retries != null && retries < 0) {
            throw Checks.bad(spec, "--retries must be 0 or more, got " + retries);
        }
        for (HostPort u : upstreams) {
            if (u.port() == 0) {
                throw Checks.bad(spec, "--upstream needs a real port, got " + u);
            }
        }
        if (!upstreamTls && (upstreamCa != null || upstreamServerName != null)) {
            throw Checks.bad(spec, "--upstream-ca and --upstream-server-name need --upstream-tls");
        }
        TcpProxy config = build(tls.serverConfig(), upstreamTls ? upstreamConfig() : null);
        logFailuresOnOneLine();
        LoopGroup group = Servers.group("proxy", loops, poller.name());
        CompletableFuture<String> stop = Servers.stopSignal(group);
        ProxyServer proxy;
        try {
            proxy = Servers.await(config.start(group), listen.toString());
        } catch (Servers.StartFailure e) {
            System.err.println("proxy: " + e.getMessage());
            Servers.shutdown(group, Duration.ofSeconds(2));
            return 1;
        }
        Servers.printListening(System.out, proxy.groupServer(), poller.provider().name());
        String sig = stop.get();
        if (sig == null) {
            // every loop died (reported above); exit so that a supervisor restarts us
            System.err.println("proxy: every event loop has ended (see the errors above); exiting");
            System.out.println(summary(proxy.stats()));
            return 1;
        }
        System.err.println("proxy: " + sig + " received: no new connections; " + proxy.openConnections()
                + " open, waiting up to " + graceMs + " ms");
        int aborted = proxy.drain(Duration.ofMillis(Math.max(0, graceMs))).get();
        if (aborted > 0) {
            System.err.println("proxy: closed " + aborted + " connection(s) still open after the grace period");
        }
        Servers.shutdown(group, Duration.ofSeconds(2));
        System.out.println(summary(proxy.stats()));
        return 0;
    }

    /** The summary line the ITs and the benchmarks read (its format is fixed). */
    static String summary(ProxyStats s) {
        return "proxy summary: connections=" + s.accepted()
                + " bytes client->upstream=" + s.bytesToUpstream()
                + " upstream->client=" + s.bytesToClient()
                + " errors=" + (s.noUpstream() + s.errors());
    }

    /**
     * The library reports upstream failures through {@code System.Logger} ("dev.pollen.proxy");
     * here they become plain {@code proxy: ...} lines on stderr instead of the JDK's two-line
     * format with a timestamp.
     */
    private static void logFailuresOnOneLine() {
        Logger log = Logger.getLogger("dev.pollen.proxy");
        ConsoleHandler h = new ConsoleHandler();
        h.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                return formatMessage(r) + System.lineSeparator();
            }
        });
        log.addHandler(h);
        log.setUseParentHandlers(false);
        KEEP.add(log); // JUL holds loggers weakly: keep the configured one alive
    }

    private static final List<Logger> KEEP = new java.util.concurrent.CopyOnWriteArrayList<>();
}
