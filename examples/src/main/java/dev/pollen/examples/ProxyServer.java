package dev.pollen.examples;

import dev.pollen.group.GroupServer;
import dev.pollen.group.LoopGroup;
import dev.pollen.loop.Future;
import dev.pollen.loop.TimerHandle;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Pipe;
import dev.pollen.net.Protocol;
import dev.pollen.net.Transport;
import dev.pollen.net.tls.TlsConfig;
import java.util.function.Supplier;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A TCP proxy on {@link Net#pipe}: each accepted client gets a connection to the upstream on the
 * same loop, and the pipe forwards both ways with flow control (memory per connection is bounded
 * by the write buffers' water marks whatever the peers' speeds) and half-close. A failed upstream
 * connect closes the client cleanly and counts as an error.
 *
 * <p><b>Threading:</b> {@link #start} and {@link #stop} from any non-loop thread; the counters are
 * thread-safe; the protocols run on the loop threads.
 */
final class ProxyServer {

    /** How long a refused client may keep sending after its FIN before it is closed anyway. */
    private static final Duration REFUSE_LINGER = Duration.ofSeconds(2);

    final LongAdder connections = new LongAdder();
    final LongAdder bytesToUpstream = new LongAdder();
    final LongAdder bytesToClient = new LongAdder();
    final LongAdder errors = new LongAdder();
    final AtomicInteger open = new AtomicInteger();

    private final HostPort upstream;
    private final NetOptions upstreamOptions;
    /** TLS to the upstream, or null for plain TCP. */
    private final TlsConfig upstreamTls;
    private GroupServer server;

    private ProxyServer(HostPort upstream, Duration connectTimeout, TlsConfig upstreamTls) {
        this.upstream = upstream;
        this.upstreamTls = upstreamTls;
        this.upstreamOptions = NetOptions.builder().connectTimeout(connectTimeout).build();
    }

    /** Starts the proxy listening on {@code listen}; throws with a readable message on failure. */
    static ProxyServer start(LoopGroup group, HostPort listen, HostPort upstream, Duration connectTimeout)
            throws Servers.StartFailure, InterruptedException {
        return start(group, listen, upstream, connectTimeout, null, null);
    }

    /**
     * Starts the proxy; {@code serverTls} (nullable) terminates TLS from clients,
     * {@code upstreamTls} (nullable) speaks TLS to the upstream.
     */
    static ProxyServer start(LoopGroup group, HostPort listen, HostPort upstream, Duration connectTimeout,
            TlsConfig serverTls, TlsConfig upstreamTls) throws Servers.StartFailure, InterruptedException {
        ProxyServer p = new ProxyServer(upstream, connectTimeout, upstreamTls);
        Supplier<Protocol> clients = () -> p.new ClientSide();
        p.server = Servers.await(group.createServer(serverTls == null ? clients
                : Net.tlsServerFactory(serverTls, clients), listen.host(), listen.port()));
        return p;
    }

    GroupServer server() {
        return server;
    }

    /**
     * Stops accepting, lets open connections finish for {@code grace}, then aborts the rest.
     *
     * @return how many connections had to be aborted
     */
    int stop(Duration grace) throws InterruptedException {
        server.close().join();
        long deadline = System.nanoTime() + grace.toNanos();
        while (open.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        int left = open.get();
        if (left > 0) {
            server.abortClients().join();
        }
        return left;
    }

    String summary() {
        return "proxy summary: connections=" + connections.sum()
                + " bytes client->upstream=" + bytesToUpstream.sum()
                + " upstream->client=" + bytesToClient.sum()
                + " errors=" + errors.sum();
    }

    /** The client side of one proxied connection, until the pipe takes it over. */
    private final class ClientSide implements Protocol {
        private Transport client;
        private boolean piped;
        private boolean lost;
        private TimerHandle linger;

        @Override
        public void connectionMade(Transport transport) {
            client = transport;
            connections.increment();
            open.incrementAndGet();
            transport.pauseReading(); // hold the client's bytes until the upstream is there
            Supplier<Protocol> upstreamSide = () -> new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    t.pauseReading(); // nothing may arrive before the pipe exists
                }
            };
            Future<Connection<Protocol>> up = upstreamTls == null
                    ? Net.createConnection(transport.loop(), upstreamSide, upstream.host(), upstream.port(),
                            upstreamOptions)
                    : Net.createConnection(transport.loop(), upstreamSide, upstream.host(), upstream.port(),
                            upstreamOptions, upstreamTls);
            up.addDoneCallback(this::upstreamReady);
        }

        private void upstreamReady(Future<Connection<Protocol>> f) {
            if (f.isCancelled() || f.exception() != null) {
                errors.increment();
                refuse();
                return;
            }
            Transport up = f.result().transport();
            if (lost || client.isClosing()) {
                up.close();
                return;
            }
            piped = true;
            Pipe pipe = Net.pipe(client, up);
            pipe.whenClosed().addDoneCallback(done -> {
                bytesToUpstream.add(pipe.bytesAtoB());
                bytesToClient.add(pipe.bytesBtoA());
                if (pipe.error() != null) {
                    errors.increment();
                }
                open.decrementAndGet();
            });
        }

        /**
         * Ends a client whose upstream could not be reached with a clean end-of-stream. A plain
         * close() would not do: bytes the client sent early (an HTTP request, say) sit unread in
         * the socket while reading is paused, and closing a socket with unread data makes the
         * kernel send a reset instead of FIN (RFC 2525 2.17; Linux tcp_close), so the client would
         * see "connection reset". Instead: FIN now, then read and discard until the client closes
         * its side (eofReceived's default closes the transport), or close after a short linger.
         */
        private void refuse() {
            if (client.isClosing()) {
                return;
            }
            if (!client.canWriteEof()) { // TLS: close() sends close_notify and drains the client itself
                client.close();
                return;
            }
            client.writeEof();
            client.resumeReading(); // dataReceived's default discards
            linger = client.loop().callLater(REFUSE_LINGER, client::close);
        }

        @Override
        public void connectionLost(Throwable cause) {
            if (linger != null) {
                linger.cancel();
            }
            if (!piped) {
                lost = true;
                open.decrementAndGet();
            }
        }
    }
}
