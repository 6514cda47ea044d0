package dev.pollen.examples;

import dev.pollen.group.GroupServer;
import dev.pollen.group.LoopGroup;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tour}: the README's main job. In one process, on the selected poller: lists the pollers,
 * runs the seed's demos, starts an echo server and a proxy in front of it, drives the load
 * generator through the proxy, and prints a short result table. Exits 0 when everything worked.
 *
 * <p><b>Threading:</b> the main thread orchestrates; each part runs on its own loops.
 */
@Command(name = "tour", mixinStandardHelpOptions = true,
        description = {"The guided tour of Pollen (about 15 s).",
            "Lists the pollers, runs the seed's demos, starts an echo server behind a proxy,",
            "drives the load generator through the proxy, does a TLS echo round trip",
            "and ends with a result table."})
public final class TourCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PollerOption poller;

    @Option(names = "--seconds", defaultValue = "2", paramLabel = "D",
            description = "Seconds per load run (default: ${DEFAULT-VALUE}; two runs).")
    double seconds;

    @Override
    public Integer call() throws Exception {
        if (!(seconds > 0) || seconds > 60) {
            throw Checks.bad(spec, "--seconds must be more than 0 and at most 60, got " + seconds);
        }
        PrintStream out = System.out;
        long t0 = System.nanoTime();
        String pollerName = poller.provider().name();

        heading(out, "1. Pollers");
        PollersCommand.print(out);

        heading(out, "2. The seed's programs (asyncio tutorial), on " + pollerName);
        DemoCommand.runAll(poller.name(), out);

        heading(out, "3. Echo server, proxy in front of it, load through the proxy");
        LoopGroup echoGroup = Servers.group("tour-echo", 1, poller.name());
        LoopGroup proxyGroup = Servers.group("tour-proxy", 1, poller.name());
        List<String[]> rows = new ArrayList<>();
        long errors = 0;
        dev.pollen.proxy.ProxyServer proxy = null;
        try {
            GroupServer echo = Servers.await(echoGroup.createServer(EchoProtocol::new, "127.0.0.1", 0),
                    "127.0.0.1:0");
            Servers.printListening(out, echo, pollerName);
            HostPort echoAt = new HostPort("127.0.0.1", echo.port());
            proxy = Servers.await(dev.pollen.proxy.TcpProxy.builder().listen("127.0.0.1", 0)
                    .upstream(echoAt.host(), echoAt.port()).build().start(proxyGroup), "127.0.0.1:0");
            Servers.printListening(out, proxy.groupServer(), pollerName);
            HostPort proxyAt = new HostPort("127.0.0.1", proxy.port());
            int[][] shapes = {{16, 64, 1}, {4, 16 * 1024, 1}};
            for (int[] s : shapes) {
                out.printf("loadgen through the proxy: %d connections, %d-byte messages, %.1f s ...%n",
                        s[0], s[1], seconds);
                LoadGenerator.Result r = new LoadGenerator(proxyAt, s[0], s[1], s[2],
                        Duration.ofNanos((long) (seconds * 1e9)), null).run(poller.name());
                out.println("  " + r.line());
                errors += r.errors() + (r.messages() == 0 ? 1 : 0);
                rows.add(new String[] {s[0] + " x " + s[1] + " B", String.format("%.0f", r.messagesPerSecond()),
                    String.format("%.2f", r.megabytesPerSecond()), r.percentileMicros(50) + " us",
                    r.percentileMicros(99) + " us", r.percentileMicros(99.9) + " us", String.valueOf(r.errors())});
            }
            proxy.drain(Duration.ofSeconds(2)).get();
            dev.pollen.proxy.ProxyStats stats = proxy.stats();
            out.println(ProxyCommand.summary(stats));
            errors += stats.noUpstream() + stats.errors();
        } catch (Servers.StartFailure e) {
            out.println("tour: a server could not start: " + e.getMessage());
            return 1;
        } finally {
            Servers.shutdown(proxyGroup, Duration.ofSeconds(2));
            Servers.shutdown(echoGroup, Duration.ofSeconds(2));
        }

        heading(out, "4. TLS: an echo round trip over TLS, on " + pollerName);
        try {
            out.println(tlsRoundTrip(poller.name()));
        } catch (Exception e) {
            out.println("tour: the TLS round trip failed: " + e);
            errors++;
        }

        heading(out, "5. Results (poller=" + pollerName + ", JDK " + Runtime.version().feature() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores)");
        out.printf("%-14s %12s %8s %9s %9s %9s %7s%n", "load", "messages/s", "MB/s", "p50", "p99", "p999", "errors");
        for (String[] r : rows) {
            out.printf("%-14s %12s %8s %9s %9s %9s %7s%n", (Object[]) r);
        }
        out.printf("tour finished in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9,
                errors == 0 ? "all good" : errors + " error(s)");
        return errors == 0 ? 0 : 1;
    }

    /**
     * A TLS echo server (the demo certificate) and a TLS stream client trusting the demo CA, on one
     * loop: one line there and back.
     */
    static String tlsRoundTrip(String pollerName) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("pollen-tour-tls");
        try {
            for (String f : new String[] {"ca.pem", "server.pem", "server-key.pem"}) {
                try (java.io.InputStream in = TourCommand.class.getResourceAsStream("tour-tls/" + f)) {
                    java.nio.file.Files.copy(java.util.Objects.requireNonNull(in, f), dir.resolve(f));
                }
            }
            dev.pollen.net.tls.TlsConfig serverTls = dev.pollen.net.tls.TlsConfig.forServer(
                    dev.pollen.net.tls.TlsKeys.fromPem(dir.resolve("server.pem"), dir.resolve("server-key.pem")))
                    .build();
            dev.pollen.net.tls.TlsConfig clientTls = dev.pollen.net.tls.TlsConfig.forClient()
                    .trustPem(dir.resolve("ca.pem")).build();
            try (dev.pollen.loop.EventLoop loop = dev.pollen.loop.EventLoop.builder().poller(pollerName).build()) {
                return loop.runUntilComplete(loop.createTask(() -> {
                    dev.pollen.net.Server server = dev.pollen.net.Net.startServer((r, w) -> {
                        byte[] line = r.readLine();
                        w.write(line);
                        w.close();
                    }, "127.0.0.1", 0, dev.pollen.net.NetOptions.defaults(), serverTls);
                    int port = server.port();
                    dev.pollen.net.StreamConnection c = dev.pollen.net.Net.openConnection("localhost", port,
                            dev.pollen.net.NetOptions.defaults(), clientTls);
                    c.writer().write("hello over TLS\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    String echoed = new String(c.reader().readLine(), java.nio.charset.StandardCharsets.US_ASCII)
                            .strip();
                    javax.net.ssl.SSLSession session = ((dev.pollen.net.TlsTransport) c.writer().transport())
                            .session();
                    c.writer().close();
                    c.writer().waitClosed();
                    server.close();
                    if (!echoed.equals("hello over TLS")) {
                        throw new IllegalStateException("the TLS echo came back as '" + echoed + "'");
                    }
                    return "TLS echo on 127.0.0.1:" + port + ": sent and got back 'hello over TLS' ("
                            + session.getProtocol() + ", " + session.getCipherSuite() + ", engine "
                            + clientTls.engine() + ", server certificate "
                            + ((java.security.cert.X509Certificate) session.getPeerCertificates()[0])
                                    .getSubjectX500Principal().getName() + ")";
                }));
            }
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : files.toList()) {
                    java.nio.file.Files.deleteIfExists(f);
                }
            }
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    private static void heading(PrintStream out, String title) {
        out.println();
        out.println("== " + title + " ==");
    }
}
