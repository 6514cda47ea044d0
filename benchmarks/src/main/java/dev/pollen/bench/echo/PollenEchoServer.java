package dev.pollen.bench.echo;

import dev.pollen.bench.AvailablePollers;
import dev.pollen.loop.EventLoop;
import dev.pollen.net.Net;
import dev.pollen.net.Protocol;
import dev.pollen.net.Server;
import dev.pollen.net.Transport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Pollen's echo server, written as a user would on the Transport/Protocol API: each
 * {@code dataReceived} writes the bytes straight back ({@code Transport.write} sends what the
 * kernel takes and copies only the rest). One loop, one thread.
 *
 * <p><b>Threading:</b> as {@link EchoServer}.
 */
final class PollenEchoServer implements EchoServer {

    private final EventLoop loop;
    private final Server server;
    private final InetSocketAddress address;
    private final Thread thread;

    PollenEchoServer(String poller) {
        this(poller, null);
    }

    /** With {@code tls} (nullable) every connection speaks TLS (TlsBench). */
    PollenEchoServer(String poller, dev.pollen.net.tls.TlsConfig tls) {
        loop = AvailablePollers.loop(poller, "pollen-echo-" + poller);
        try {
            // Before the loop thread starts, this thread may run the loop until the server is bound.
            server = loop.runUntilComplete(tls == null
                    ? Net.createServer(loop, Echo::new, "127.0.0.1", 0)
                    : Net.createServer(loop, Echo::new, "127.0.0.1", 0,
                            dev.pollen.net.NetOptions.defaults(), tls));
            address = (InetSocketAddress) server.sockets().get(0);
        } catch (RuntimeException e) {
            loop.close();
            throw e;
        }
        thread = loop.startThread();
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public Thread thread() {
        return thread;
    }

    @Override
    public void close() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> {
            server.close();
            server.abortClients();
            closed.complete(null);
        });
        try {
            closed.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the Pollen echo server did not close: " + e, e);
        } finally {
            loop.close(); // stops the loop thread and waits for it
        }
    }

    /** Writes every byte it receives back to the sender. */
    static final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }
}
