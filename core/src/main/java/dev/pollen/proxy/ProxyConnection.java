package dev.pollen.proxy;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.TimerHandle;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.Pipe;
import dev.pollen.net.Protocol;
import dev.pollen.net.Transport;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionException;

/**
 * One client of a {@link TcpProxy}, from accept to close: what {@link ProxyListener} is given.
 *
 * <h2>Life of a connection</h2>
 * <ol>
 *   <li>Accepted. The proxy reads what the client sends while the upstream connects, holding
 *       up to {@value #EARLY_LIMIT} bytes (then it stops reading until the pipe exists), so a
 *       client that resets is noticed at once and its pending upstream attempt abandoned
 *       ({@link CloseReason#CLIENT_LEFT}). A client that half-closes early (a request, then
 *       {@code shutdown(SHUT_WR)}) is not "leaving": its end-of-stream is forwarded once the
 *       upstream is there.</li>
 *   <li>Upstream attempts, each bounded by the connect timeout; a failed one moves to the next
 *       upstream while retries are left.</li>
 *   <li>Piped ({@link Net#pipe}): the held bytes go first, then both directions flow with the
 *       pipe's flow control and half-close; the idle timeout starts.</li>
 *   <li>If no attempt succeeds, the client gets a clean end-of-stream, never a reset: the proxy
 *       sends FIN, reads and discards whatever the client still sends until it closes its side
 *       (or 2 s pass), then closes. A plain {@code close()} would not
 *       do: a socket closed with unread received bytes makes the kernel send RST instead of FIN
 *       (RFC 2525 section 2.17), and the client would see "connection reset" instead of
 *       end-of-stream. A TLS client is closed with {@code close_notify}.</li>
 * </ol>
 *
 * <p><b>Threading:</b> loop thread only (the connection's {@link #loop()}), except
 * {@link #id()} and {@link #loop()}, which any thread may call.
 */
public final class ProxyConnection {

    /** Bytes held from the client while the upstream connects, before reading pauses. */
    public static final int EARLY_LIMIT = 64 * 1024;
    /** How long a refused client may go on sending after our FIN before it is closed anyway. */
    static final long REFUSE_LINGER_MS = 2000;

    private final ProxyServer server;
    private final TcpProxy config;
    private final long id;
    private final EventLoop loop;
    private final Transport client;
    private final ArrayDeque<ByteBuffer> early = new ArrayDeque<>();
    private long earlyBytes;
    private boolean clientEof;
    private int start;
    private int attempts;
    private Upstream upstream;
    private Future<Connection<Protocol>> pending;
    private Transport upstreamTransport;
    private Pipe pipe;
    private boolean refusing;
    private TimerHandle linger;
    private boolean abortRequested;
    private CloseReason reason;
    private long toUpstream;
    private long toClient;

    ProxyConnection(ProxyServer server, long id, Transport client) {
        this.server = server;
        this.config = server.config();
        this.id = id;
        this.loop = client.loop();
        this.client = client;
    }

    /**
     * A number unique within the proxy server, in accept order (from 1).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the id
     */
    public long id() {
        return id;
    }

    /**
     * The loop that owns this connection (where every listener call for it runs).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the loop
     */
    public EventLoop loop() {
        return loop;
    }

    /**
     * The client's address.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the peer address of the accepted socket, or null if unknown
     */
    public SocketAddress clientAddress() {
        return client.peerAddress();
    }

    /**
     * The upstream in use, or the last one tried (null before the first attempt).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the upstream or null
     */
    public Upstream upstream() {
        return upstream;
    }

    /**
     * How many upstream connect attempts were started.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the number of attempts
     */
    public int attempts() {
        return attempts;
    }

    /**
     * Bytes forwarded from the client to the upstream so far (final once closed).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the byte count
     */
    public long bytesToUpstream() {
        return reason != null ? toUpstream : toUpstream + (pipe == null ? 0 : pipe.bytesAtoB());
    }

    /**
     * Bytes forwarded from the upstream to the client so far (final once closed).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the byte count
     */
    public long bytesToClient() {
        return reason != null ? toClient : pipe == null ? 0 : pipe.bytesBtoA();
    }

    /**
     * Why the connection ended.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the reason, or null while it is open
     */
    public CloseReason reason() {
        return reason;
    }

    /**
     * Whether the connection has ended.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true once {@link ProxyListener#closed} has been called
     */
    public boolean isClosed() {
        return reason != null;
    }

    // ------------------------------------------------------------------ life cycle

    /** Called by the client protocol's connectionMade. */
    void begin() {
        client.setProtocol(new ClientSide());
        server.accepted(this);
        if (reason != null || abortRequested) {
            return; // aborted from the listener
        }
        start = config.balance() == Balance.FIRST ? 0 : server.nextRoundRobin();
        tryNext();
    }

    private void tryNext() {
        int n = config.upstreams().size();
        upstream = config.upstreams().get(Math.floorMod(start + attempts, n));
        attempts++;
        server.upstreamChosen(this, upstream, attempts);
        if (reason != null || abortRequested) {
            return; // a listener aborted the connection
        }
        Upstream u = upstream;
        Future<Connection<Protocol>> f = config.upstreamTls() == null
                ? Net.createConnection(loop, UpstreamSide::new, u.host(), u.port(),
                        config.upstreamOptions())
                : Net.createConnection(loop, UpstreamSide::new, u.host(), u.port(),
                        config.upstreamOptions(), config.upstreamTls());
        pending = f;
        f.addDoneCallback(done -> connected(u, done));
    }

    private void connected(Upstream u, Future<Connection<Protocol>> f) {
        if (pending != f) {
            return;
        }
        pending = null;
        if (f.isCancelled()) {
            return; // abandoned: the client left or was aborted
        }
        Throwable e = f.exception();
        if (e == null && f.result().transport().isClosing()) {
            e = new java.io.IOException("upstream " + u + " closed the connection at once");
        }
        if (e != null) {
            e = unwrap(e);
            server.upstreamFailed(this, u, e, attempts, config.retries() + 1);
            if (reason != null || abortRequested) {
                return;
            }
            if (attempts <= config.retries()) {
                tryNext();
            } else {
                refuse();
            }
            return;
        }
        Transport up = f.result().transport();
        if (reason != null || abortRequested || client.isClosing()) {
            up.abort();
            return;
        }
        upstreamTransport = up;
        server.upstreamConnected(this, u);
        if (reason != null || up.isClosing() || client.isClosing()) {
            up.abort();
            return;
        }
        for (ByteBuffer b : early) {
            up.write(b);
        }
        toUpstream = earlyBytes;
        early.clear();
        Pipe p = Net.pipe(client, up);
        pipe = p;
        if (clientEof) {
            p.endOfStreamReceived(client);
        }
        Duration idle = config.idleTimeout();
        if (idle != null && !client.isClosing()) {
            // The client's transport sees every byte in both directions (it reads one way and
            // writes the other), so its idle timer is the connection's.
            client.setIdleTimeout(idle);
        }
        p.whenClosed().addDoneCallback(done -> {
            CloseReason r;
            Throwable err = p.error();
            if (abortRequested) {
                r = CloseReason.ABORTED;
            } else if (err == null) {
                r = CloseReason.DONE;
            } else if (idle != null && err instanceof SocketTimeoutException) {
                r = CloseReason.IDLE_TIMEOUT;
            } else {
                r = CloseReason.ERROR;
            }
            finish(r);
        });
    }

    /** Every attempt failed: a clean end-of-stream for the client (see the class comment). */
    private void refuse() {
        refusing = true;
        early.clear();
        if (client.isClosing()) {
            return;
        }
        if (clientEof || !client.canWriteEof()) {
            // Everything the client sent was read (it ended with EOF), or TLS, whose close sends
            // close_notify and reads the client's answer itself.
            client.close();
            return;
        }
        client.writeEof();
        client.resumeReading(); // read and discard until the client's EOF
        linger = loop.callLater(Duration.ofMillis(REFUSE_LINGER_MS), client::close);
    }

    /**
     * Aborts the connection: a pending upstream attempt is abandoned and both sockets are reset;
     * {@link ProxyListener#closed} follows with {@link CloseReason#ABORTED}. Idempotent.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void abort() {
        loop.checkThread("ProxyConnection.abort");
        if (reason != null || abortRequested) {
            return;
        }
        abortRequested = true;
        if (pipe != null) {
            pipe.abort();
            return;
        }
        Future<Connection<Protocol>> f = pending;
        if (f != null) {
            pending = null;
            f.cancel();
        }
        if (upstreamTransport != null) {
            upstreamTransport.abort();
        }
        client.abort();
    }

    private void finish(CloseReason r) {
        if (reason != null) {
            return;
        }
        if (pipe != null) {
            toUpstream += pipe.bytesAtoB();
            toClient = pipe.bytesBtoA();
        }
        reason = r;
        if (linger != null) {
            linger.cancel();
        }
        server.closed(this);
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    @Override
    public String toString() {
        return "ProxyConnection#" + id + "[" + client + (upstream == null ? "" : " -> " + upstream)
                + (reason == null ? "" : ", " + reason) + "]";
    }

    /** The client's protocol until the pipe takes over (and for good if it is refused). */
    private final class ClientSide implements Protocol {

        @Override
        public void dataReceived(ByteBuffer data) {
            if (refusing || pipe != null) {
                return; // refused: discard
            }
            ByteBuffer copy = ByteBuffer.allocate(data.remaining());
            copy.put(data).flip();
            early.add(copy);
            earlyBytes += copy.remaining();
            if (earlyBytes >= EARLY_LIMIT) {
                client.pauseReading(); // the pipe resumes it
            }
        }

        @Override
        public boolean eofReceived() {
            if (refusing) {
                return false; // the client closed its side after our FIN: close
            }
            clientEof = true;
            return true; // half-close: forwarded once the upstream is there
        }

        @Override
        public void connectionLost(Throwable cause) {
            Future<Connection<Protocol>> f = pending;
            if (f != null) {
                pending = null;
                f.cancel();
            }
            if (upstreamTransport != null && pipe == null) {
                upstreamTransport.abort();
            }
            finish(abortRequested ? CloseReason.ABORTED
                    : refusing ? CloseReason.NO_UPSTREAM : CloseReason.CLIENT_LEFT);
        }
    }

    /** The upstream's protocol until the pipe takes over: holds its bytes back. */
    private static final class UpstreamSide implements Protocol {
        @Override
        public void connectionMade(Transport transport) {
            transport.pauseReading(); // nothing may arrive before the pipe exists
        }
    }
}
