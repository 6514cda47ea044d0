package dev.pollen.bench.external;

import dev.pollen.bench.echo.EchoServer;
import java.io.IOException;
import java.io.InputStream;

/**
 * One JVM echo server in a process of its own, for the external benchmark: the same servers as
 * the JMH {@code EchoBench} ({@code pollen:<poller>}, {@code netty:epoll},
 * {@code netty:io_uring}, {@code netty:nio}; see {@link EchoServer#start}), on 127.0.0.1.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.vm=ALL-UNNAMED \
 *     -cp benchmarks.jar dev.pollen.bench.external.ServerMain pollen:epoll
 * </pre>
 *
 * <p>Prints {@code listening 127.0.0.1:PORT} once it accepts, then serves until its standard
 * input closes (the harness that started it stopped or died) or it gets SIGTERM/SIGINT.
 *
 * <p><b>Threading:</b> the main thread waits on stdin; the server runs on its own thread.
 */
public final class ServerMain {

    private ServerMain() {
    }

    /**
     * Runs the server.
     *
     * @param args the server's name, e.g. {@code pollen:epoll}
     * @throws IOException if stdin fails
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ServerMain pollen:<poller> | netty:epoll | netty:io_uring"
                    + " | netty:nio");
            System.exit(2);
        }
        EchoServer server;
        try {
            server = EchoServer.start(args[0]);
        } catch (RuntimeException e) {
            System.err.println("ServerMain: cannot start " + args[0] + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "echo-server-close"));
        System.out.println("listening 127.0.0.1:" + server.address().getPort());
        System.out.flush();
        InputStream in = System.in;
        byte[] ignored = new byte[256];
        while (in.read(ignored) >= 0) {
            // the harness writes nothing; EOF means it is done with us
        }
        System.exit(0); // runs the shutdown hook, which closes the server
    }
}
