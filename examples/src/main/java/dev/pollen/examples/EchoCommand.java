package dev.pollen.examples;

import dev.pollen.group.GroupServer;
import dev.pollen.group.LoopGroup;
import dev.pollen.net.Net;
import dev.pollen.net.Protocol;
import dev.pollen.net.tls.TlsConfig;
import java.util.function.Supplier;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code echo}: an echo server on a loop group, until SIGINT or SIGTERM.
 *
 * <p><b>Threading:</b> the main thread waits for the signal; the loops serve.
 */
@Command(name = "echo", mixinStandardHelpOptions = true,
        description = {"Run an echo server until SIGINT/SIGTERM.",
            "Prints 'listening HOST:PORT poller=NAME' once it accepts.",
            "With --tls-cert/--tls-key it speaks TLS (close_notify on close)."})
public final class EchoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PollerOption poller;

    @Mixin
    TlsOptions tls;

    @Option(names = "--port", required = true, paramLabel = "P", description = "Port to listen on (0 picks a free one).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "H",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--loops", defaultValue = "1", paramLabel = "N",
            description = "Event loops (threads) serving connections (default: ${DEFAULT-VALUE}).")
    int loops;

    @Override
    public Integer call() throws Exception {
        Checks.port(spec, port, "--port");
        Checks.positive(spec, loops, "--loops");
        TlsConfig tlsConfig = tls.serverConfig();
        Supplier<Protocol> factory = tlsConfig == null ? EchoProtocol::new
                : Net.tlsServerFactory(tlsConfig, EchoProtocol::new);
        LoopGroup group = Servers.group("echo", loops, poller.name());
        java.util.concurrent.CompletableFuture<String> stop = Servers.stopSignal(group);
        try {
            GroupServer server = Servers.await(group.createServer(factory, host, port),
                    host + ":" + port);
            Servers.printListening(System.out, server, poller.provider().name());
            if (tlsConfig != null) {
                System.err.println("echo: TLS on, engine " + tlsConfig.engine());
            }
            String sig = stop.get();
            if (sig == null) {
                // every loop died (reported above); exit so that a supervisor restarts us
                System.err.println("echo: every event loop has ended (see the errors above); "
                        + "exiting");
                return 1;
            }
            System.err.println("echo: " + sig + " received, closing");
            server.close();
        } catch (Servers.StartFailure e) {
            System.err.println("echo: " + e.getMessage());
            return 1;
        } finally {
            Servers.shutdown(group, Duration.ofSeconds(2));
        }
        return 0;
    }
}
