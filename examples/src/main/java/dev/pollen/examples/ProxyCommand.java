package dev.pollen.examples;

import dev.pollen.group.LoopGroup;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code proxy}: a TCP proxy until SIGINT/SIGTERM, then a graceful stop and a summary.
 *
 * <p><b>Threading:</b> the main thread waits for the signal; the loops proxy.
 */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = {"Run a TCP proxy (pipe() with flow control) until SIGINT/SIGTERM.",
            "--tls-cert/--tls-key terminate TLS from clients; --upstream-tls originates it.",
            "Prints 'listening HOST:PORT poller=NAME' once it accepts; on the signal it stops",
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
            description = "With --upstream-tls: the name to send (SNI) and verify (default: the --upstream host).")
    String upstreamServerName;

    @Option(names = "--listen", required = true, paramLabel = "H:P", converter = HostPort.Converter.class,
            description = "Where to listen, e.g. 127.0.0.1:9000.")
    HostPort listen;

    @Option(names = "--upstream", required = true, paramLabel = "H:P", converter = HostPort.Converter.class,
            description = "Where to forward, e.g. 127.0.0.1:8000.")
    HostPort upstream;

    @Option(names = "--loops", defaultValue = "1", paramLabel = "N",
            description = "Event loops (threads) (default: ${DEFAULT-VALUE}).")
    int loops;

    @Option(names = "--connect-timeout", defaultValue = "5000", paramLabel = "MS",
            description = "Upstream connect timeout in milliseconds (default: ${DEFAULT-VALUE}).")
    long connectTimeoutMs;

    @Option(names = "--grace", defaultValue = "5000", paramLabel = "MS",
            description = "How long open connections may finish after the signal (default: ${DEFAULT-VALUE}).")
    long graceMs;

    private dev.pollen.net.tls.TlsConfig upstreamConfig() {
        dev.pollen.net.tls.TlsConfig.Builder b = dev.pollen.net.tls.TlsConfig.forClient();
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

    @Override
    public Integer call() throws Exception {
        Checks.positive(spec, loops, "--loops");
        Checks.positive(spec, connectTimeoutMs, "--connect-timeout");
        if (upstream.port() == 0) {
            throw Checks.bad(spec, "--upstream needs a real port, got 0");
        }
        if (!upstreamTls && (upstreamCa != null || upstreamServerName != null)) {
            throw Checks.bad(spec, "--upstream-ca and --upstream-server-name need --upstream-tls");
        }
        dev.pollen.net.tls.TlsConfig serverTls = tls.serverConfig();
        dev.pollen.net.tls.TlsConfig clientTls = upstreamTls ? upstreamConfig() : null;
        Signals signals = new Signals();
        LoopGroup group = Servers.group("proxy", loops, poller.name());
        ProxyServer proxy;
        try {
            proxy = ProxyServer.start(group, listen, upstream, Duration.ofMillis(connectTimeoutMs),
                    serverTls, clientTls);
        } catch (Servers.StartFailure e) {
            System.err.println("proxy: cannot listen on " + listen + ": " + e.getMessage());
            Servers.shutdown(group, Duration.ofSeconds(2));
            return 1;
        }
        Servers.printListening(System.out, proxy.server(), poller.provider().name());
        String sig = signals.awaitOr(group.terminationFuture());
        if (sig == null) {
            // every loop died (reported above); exit so that a supervisor restarts us
            System.err.println("proxy: every event loop has ended (see the errors above); exiting");
            System.out.println(proxy.summary());
            return 1;
        }
        System.err.println("proxy: " + sig + " received: no new connections; " + proxy.open.get()
                + " open, waiting up to " + graceMs + " ms");
        int aborted = proxy.stop(Duration.ofMillis(Math.max(0, graceMs)));
        if (aborted > 0) {
            System.err.println("proxy: closed " + aborted + " connection(s) still open after the grace period");
        }
        Servers.shutdown(group, Duration.ofSeconds(2));
        System.out.println(proxy.summary());
        return 0;
    }
}
