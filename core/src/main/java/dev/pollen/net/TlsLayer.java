package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.Future;
import dev.pollen.loop.TimerHandle;
import dev.pollen.net.tls.TlsConfig;
import dev.pollen.net.tls.TlsHandshakeException;
import dev.pollen.net.tls.TlsHandshakeException.Reason;
import dev.pollen.net.tls.TlsTruncationException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * TLS over another transport: the protocol of the raw (TCP, Unix or TLS) transport on one side,
 * the {@link TlsTransport} of the application's protocol on the other (asyncio's
 * {@code SSLProtocol} with its app transport; Netty's {@code SslHandler}). It drives one
 * {@link SSLEngine}; which implementation made the engine does not matter.
 *
 * <h2>Writing</h2>
 * While the raw transport has nothing queued, plaintext is encrypted at once into the loop's
 * shared {@code netOut} buffer (up to {@link #RECORDS_PER_BATCH} records per pass) and handed to
 * the raw transport, whose write goes straight to the socket. The raw transport's water marks
 * are 0/0, so it tells this layer ({@code pauseWriting}) as soon as the kernel refused anything;
 * from then on new plaintext waits in {@link #backlog} (pooled 16 KiB chunks: full records
 * later) and is encrypted when the raw transport has drained ({@code resumeWriting}). So at most
 * one batch sits encrypted, and {@link #writeBufferSize()} is essentially plaintext. Plaintext
 * written during the handshake or a renegotiation waits in the backlog as well.
 *
 * <h2>Reading</h2>
 * Records are decrypted straight out of the buffer the raw transport delivered (the loop's
 * shared read buffer) into the loop's shared {@code appIn} buffer, several records per
 * {@code dataReceived}. Only the tail of a record cut by the read boundary is copied, into
 * {@link #carry}, and completed from the next read one record at a time, after which decryption
 * goes on from the read buffer. While the application has paused reading, the rest of a read
 * waits in {@code carry}, encrypted.
 *
 * <h2>Closing</h2>
 * {@code close()}: flush the backlog, send close_notify, half-close TCP, read (and discard) until
 * the peer's close_notify or end-of-stream, close; all within the shutdown timeout, else abort.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class TlsLayer extends AbstractTransport implements TlsTransport {

    private static final System.Logger LOG = System.getLogger("dev.pollen.net.tls");
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};
    /** Records encrypted per pass before they go to the raw transport (about 64 KiB). */
    private static final int RECORDS_PER_BATCH = 4;
    /** Gathering writes up to this size are copied into one buffer: one record. */
    private static final int GATHER_LIMIT = 16 * 1024;
    /** Decrypted bytes gathered (at most) before one {@code dataReceived}. */
    private static final int APP_IN_RECORDS = 4;

    private final TlsConfig config;
    private final Transport raw;
    private final String peerHost;
    private final TlsBuffers buffers;
    private final WriteQueue backlog;
    private final RawSide rawSide = new RawSide();
    private final ByteBuffer[] one = new ByteBuffer[1];
    private final ByteBuffer[] oneDst = new ByteBuffer[1];

    /** Made after the handshake (accepted and connected), or given (startTls). */
    private final Supplier<? extends Protocol> appFactory;
    private Protocol app;
    /** Completed when the handshake is: a Future of Connection (connect) or of this (startTls). */
    private final Future<Object> waiter;
    private final boolean startTls;

    private SSLEngine engine;
    private int packetSize = 16 * 1024 + 1024;
    private int appSize = 16 * 1024 + 1024;
    /** Received ciphertext not yet decrypted (read mode). */
    private ByteBuffer carry;
    private ByteBuffer ownNetOut;
    private ByteBuffer ownAppIn;
    private TimerHandle handshakeTimer;
    private TimerHandle shutdownTimer;

    private boolean handshakeDone;
    private boolean handshakeFailed;
    private boolean engineBroken;
    private boolean rawPaused;
    private boolean rawGone;
    private boolean netEof;
    private boolean netEofSent;
    private boolean inboundDone;
    private boolean outboundDone;
    private boolean closeNotifySent;
    private boolean closeNotifyReceived;
    private boolean keepOpenAfterEof;
    private boolean lostToError;
    private boolean pumping;
    private boolean pumpAgain;
    private boolean drainScheduled;
    /** A wrap produced bytes since the last unwrap made to surface an engine's pending state. */
    private boolean wroteSincePoke;
    /** The last {@link #wrap} pass produced bytes (pump's guard against an engine that asks to
     * wrap and produces nothing). */
    private boolean wrapProduced;
    /** startTls: plaintext waits (encrypted) until the future's callbacks have run. */
    private boolean holdDelivery;
    /** Plaintext decrypted while {@link #holdDelivery}, in read mode. */
    private ByteBuffer held;
    /** What {@code connectionLost} gets instead of the raw transport's cause. */
    private Throwable failure;
    private String closedBy;

    @SuppressWarnings("unchecked")
    private TlsLayer(Transport raw, TlsConfig config, Supplier<? extends Protocol> appFactory,
            Protocol app, String peerHost, Future<?> waiter) {
        super(raw.loop(), raw instanceof AbstractTransport a ? a.net : NetLoopState.of(raw.loop()),
                NetOptions.defaults(), "TlsTransport", "aborting the connection");
        this.raw = raw;
        this.config = config;
        this.appFactory = appFactory;
        this.app = app;
        this.startTls = app != null;
        this.peerHost = peerHost;
        this.waiter = (Future<Object>) waiter;
        this.buffers = TlsBuffers.of(net);
        this.backlog = new WriteQueue(net.pool);
        this.high = raw.writeBufferHighWater();
        this.low = raw.writeBufferLowWater();
    }

    // ------------------------------------------------------------------ entry points

    /** {@link Net#tlsServerFactory}: each accepted connection gets a layer, then a protocol. */
    static Supplier<Protocol> serverFactory(TlsConfig config,
            Supplier<? extends Protocol> factory) {
        Objects.requireNonNull(config, "tls");
        Objects.requireNonNull(factory, "protocolFactory");
        if (!config.isServer()) {
            throw new IllegalArgumentException("a server needs a TlsConfig.forServer(keys) "
                    + "configuration; this one is for clients: " + config);
        }
        return () -> new Starter(config, factory, null, null);
    }

    /** {@link Net#createConnection} with TLS: completes once the handshake has. */
    static <P extends Protocol> Future<Connection<P>> connect(EventLoop loop,
            Supplier<? extends P> factory, String host, int port, NetOptions options,
            TlsConfig config) {
        Objects.requireNonNull(config, "tls");
        Objects.requireNonNull(factory, "protocolFactory");
        if (config.isServer()) {
            throw new IllegalArgumentException("a client connection needs a "
                    + "TlsConfig.forClient() configuration; this one is for servers: " + config);
        }
        Future<Connection<P>> result = loop.createFuture();
        String name = config.serverName() != null ? config.serverName() : host;
        Starter s = new Starter(config, factory, name, result);
        Future<Connection<Starter>> tcp = Endpoints.connect(loop, () -> s, host, port, options);
        tcp.addDoneCallback(f -> {
            if (result.isDone()) {
                return;
            }
            if (f.isCancelled()) {
                result.cancel("the TCP connect was cancelled");
            } else if (f.exception() != null) {
                result.setException(f.exception());
            }
        });
        result.addDoneCallback(f -> {
            if (f.isCancelled()) {
                tcp.cancel();
                if (s.layer != null && !s.layer.rawGone) {
                    s.layer.raw.abort();
                }
            }
        });
        return result;
    }

    /** {@link Net#startTls}: upgrades an open transport. */
    static Future<TlsTransport> startTls(Transport raw, Protocol protocol, TlsConfig config,
            String serverName) {
        Objects.requireNonNull(raw, "transport");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(config, "tls");
        raw.loop().checkThread("Net.startTls");
        if (raw.isClosing()) {
            throw new IllegalStateException("startTls: the transport is closing: " + raw);
        }
        String name = serverName != null ? serverName : config.serverName();
        if (!config.isServer() && name == null && config.verifyHostname()) {
            throw new IllegalArgumentException("startTls as a client needs the server's name to "
                    + "verify its certificate: pass serverName, set TlsConfig.Builder.serverName, "
                    + "or turn verifyHostname off");
        }
        Future<TlsTransport> f = raw.loop().createFuture();
        TlsLayer t = new TlsLayer(raw, config, null, protocol, name, f);
        t.start();
        return f;
    }

    /**
     * The protocol the raw transport gets from a factory: on {@code connectionMade} it builds the
     * layer, which takes its place.
     */
    static final class Starter implements Protocol {
        private final TlsConfig config;
        private final Supplier<? extends Protocol> factory;
        private final String peerHost;
        private final Future<?> waiter;
        TlsLayer layer;

        Starter(TlsConfig config, Supplier<? extends Protocol> factory, String peerHost,
                Future<?> waiter) {
            this.config = config;
            this.factory = factory;
            this.peerHost = peerHost;
            this.waiter = waiter;
        }

        @Override
        public void connectionMade(Transport transport) {
            String host = peerHost;
            if (host == null && transport.peerAddress() instanceof InetSocketAddress a) {
                host = a.getAddress().getHostAddress();
            }
            layer = new TlsLayer(transport, config, factory, null, host, waiter);
            layer.start();
        }
    }

    private void start() {
        raw.setProtocol(rawSide);
        if (raw instanceof StreamTransport st) {
            st.front = this;
            if (startTls && st.isProtocolPaused()) {
                protocolPaused = true; // the protocol still waits for a resumeWriting
            }
        }
        raw.setWriteBufferLimits(0, 0);
        rawPaused = raw.writeBufferSize() > 0;
        if (startTls) {
            raw.resumeReading(); // the handshake needs the peer's records (asyncio does the same)
        }
        local = raw.localAddress();
        peer = raw.peerAddress();
        int port = peer instanceof InetSocketAddress a ? a.getPort() : -1;
        try {
            engine = config.engineFactory().newEngine(peerHost, port);
            SSLSession s = engine.getSession();
            packetSize = Math.max(packetSize, s.getPacketBufferSize());
            appSize = Math.max(appSize, s.getApplicationBufferSize());
            engine.beginHandshake();
        } catch (SSLException | RuntimeException e) {
            engineBroken = true;
            handshakeFailed(TlsHandshakeException.from(peerName(), e));
            closeRawSoon();
            return;
        }
        handshakeTimer = loop.callLater(config.handshakeTimeout(), this::handshakeTimedOut);
        pump();
    }

    // ------------------------------------------------------------------ the engine's outgoing side

    /** Runs the engine until it waits for the peer: handshake records, backlog, close_notify. */
    private void pump() {
        if (engine == null || rawGone || engineBroken) {
            return;
        }
        if (pumping) {
            pumpAgain = true;
            return;
        }
        pumping = true;
        try {
            do {
                pumpAgain = false;
                pumpOnce();
            } while (pumpAgain && !rawGone && !engineBroken);
        } finally {
            pumping = false;
        }
    }

    private void pumpOnce() {
        while (!rawGone && !engineBroken) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_TASK -> runTasks();
                case NEED_WRAP -> {
                    wrapProduced = false;
                    if (!wrap(NOTHING, 0, 1, false)) {
                        return;
                    }
                    if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP
                            && (outboundDone || !wrapProduced)) {
                        maybeSendCloseNotify(); // nothing more can be produced: finish closing
                        return;
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (inboundDone || netEof) { // nothing more will come from the peer
                        maybeSendCloseNotify();
                        return;
                    }
                    if (wroteSincePoke && !rawGone) {
                        // The peer's turn, but an engine may hold an error (BoringSSL throws a
                        // failed certificate check after sending the alert) or a finished step
                        // until it is asked to unwrap: ask once, with what is buffered or nothing.
                        wroteSincePoke = false;
                        unwrapFrom(carry != null && carry.hasRemaining() ? carry : NOTHING[0]);
                        if (engine.getHandshakeStatus() != hs) {
                            continue;
                        }
                    }
                    return;
                }
                default -> { // NOT_HANDSHAKING, FINISHED
                    if (!handshakeDone) {
                        if (handshakeFailed) {
                            return;
                        }
                        handshakeCompleted();
                        continue;
                    }
                    if (!backlog.isEmpty() && !rawPaused) {
                        if (outboundDone) {
                            backlog.clear(); // the engine cannot encrypt any more
                        } else {
                            wrapBacklog();
                            if (engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING
                                    && !rawGone) {
                                continue;
                            }
                        }
                    }
                    maybeSendCloseNotify();
                    return;
                }
            }
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    /** Encrypts what waits in the backlog, batch by batch, while the raw transport takes it. */
    private void wrapBacklog() {
        while (!backlog.isEmpty() && !rawPaused && !rawGone && !engineBroken && !outboundDone
                && engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING) {
            int head = backlog.headIndex();
            int n = Math.min(backlog.tailIndex() - head, WriteQueue.MAX_IOV);
            ByteBuffer[] chunks = backlog.array();
            long before = remaining(chunks, head, n);
            wrap(chunks, head, n, true);
            long taken = before - remaining(chunks, head, n);
            backlog.consumed(taken);
            if (taken == 0) {
                return;
            }
        }
    }

    /**
     * Encrypts from {@code srcs} into records and hands them to the raw transport, a batch at a
     * time. Handshake mode ({@code data} false): wraps while the engine asks for it. Data mode:
     * while there is plaintext, the raw transport has nothing queued and the engine is not
     * handshaking. Never calls the application.
     *
     * @return false if the engine failed (the connection is being closed)
     */
    private boolean wrap(ByteBuffer[] srcs, int off, int len, boolean data) {
        ByteBuffer out = borrowNetOut();
        try {
            while (!rawGone) {
                if (data) {
                    if (rawPaused || outboundDone || remaining(srcs, off, len) == 0
                            || engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
                        break;
                    }
                } else {
                    HandshakeStatus hs = engine.getHandshakeStatus();
                    if (hs == HandshakeStatus.NEED_TASK) {
                        runTasks();
                        continue;
                    }
                    if (hs != HandshakeStatus.NEED_WRAP) {
                        break;
                    }
                }
                if (out.remaining() < packetSize && out.position() > 0) {
                    sendNet(out);
                    continue;
                }
                SSLEngineResult r;
                try {
                    r = engine.wrap(srcs, off, len, out);
                } catch (SSLException | RuntimeException e) {
                    sendNet(out);
                    engineFailed(e);
                    return false;
                }
                if (r.bytesProduced() > 0) {
                    wroteSincePoke = true;
                    wrapProduced = true;
                }
                switch (r.getStatus()) {
                    case BUFFER_OVERFLOW -> {
                        if (out.position() > 0) {
                            sendNet(out);
                        } else {
                            packetSize = Math.max(packetSize * 2,
                                    engine.getSession().getPacketBufferSize());
                            returnNetOut(out);
                            out = borrowNetOut();
                        }
                        continue;
                    }
                    case CLOSED -> outboundDone = true;
                    default -> { }
                }
                if (r.bytesProduced() == 0 && r.bytesConsumed() == 0
                        && r.getStatus() != SSLEngineResult.Status.OK) {
                    break;
                }
                if (r.bytesProduced() == 0 && r.bytesConsumed() == 0
                        && r.getHandshakeStatus() != HandshakeStatus.NEED_TASK) {
                    break; // no progress: let pump look at the engine again
                }
            }
            sendNet(out);
            return !engineBroken;
        } finally {
            returnNetOut(out);
        }
    }

    /** Hands the encrypted bytes in {@code out} to the raw transport and clears it. */
    private void sendNet(ByteBuffer out) {
        out.flip();
        if (out.hasRemaining() && !rawGone && !netEofSent && !raw.isClosing()) {
            raw.write(out); // may call rawSide.pauseWriting, nothing else
        }
        out.clear();
    }

    private ByteBuffer borrowNetOut() {
        int size = packetSize * RECORDS_PER_BATCH;
        ByteBuffer b = buffers.borrowNetOut(size);
        if (b == null) {
            if (ownNetOut == null || ownNetOut.capacity() < size) {
                ownNetOut = ByteBuffer.allocateDirect(size);
            }
            b = ownNetOut.clear();
        }
        return b;
    }

    private void returnNetOut(ByteBuffer b) {
        buffers.returnNetOut(b);
    }

    private static long remaining(ByteBuffer[] bufs, int off, int len) {
        long n = 0;
        for (int i = off; i < off + len; i++) {
            n += bufs[i].remaining();
        }
        return n;
    }

    // ------------------------------------------------------------------ the engine's incoming side

    /** Ciphertext from the raw transport ({@code in}: its buffer, valid only now). */
    private void onNetData(ByteBuffer in) {
        if (engine == null || rawGone || inboundDone) {
            in.position(in.limit());
            return;
        }
        while (in.hasRemaining() && canDecrypt()) {
            int have = carry == null ? 0 : carry.remaining();
            if (have == 0) {
                unwrapFrom(in);
                break;
            }
            int want = carryWant();
            if (want <= 0) { // carry holds a whole record already (left by a pause)
                unwrapFrom(carry);
                if (carry.remaining() == have && canDecrypt()) {
                    engineFailed(new SSLException("a TLS record the engine neither decrypts "
                            + "nor rejects"));
                    return;
                }
                continue;
            }
            int n = Math.min(want, in.remaining());
            appendCarry(in, n);
            if (n == want) {
                unwrapFrom(carry); // the header or the record is complete
            }
        }
        if (in.hasRemaining() && !rawGone && !inboundDone) {
            appendCarry(in, in.remaining());
        } else {
            in.position(in.limit());
        }
    }

    private boolean canDecrypt() {
        return !rawGone && !inboundDone && !engineBroken && !holdDelivery
                && (held == null || closing)
                && !(handshakeDone && readPaused && !closing);
    }

    /** Bytes the first record in {@link #carry} still lacks (its header first). */
    private int carryWant() {
        int have = carry.remaining();
        int p = carry.position();
        if (have < 5) {
            return 5 - have;
        }
        int b0 = carry.get(p) & 0xff;
        int len;
        if ((b0 & 0x80) != 0 && !handshakeDone) { // an SSLv2-format ClientHello header
            len = (((b0 & 0x7f) << 8) | (carry.get(p + 1) & 0xff)) + 2;
        } else {
            len = (((carry.get(p + 3) & 0xff) << 8) | (carry.get(p + 4) & 0xff)) + 5;
        }
        return len - have;
    }

    private void appendCarry(ByteBuffer src, int n) {
        if (carry == null) {
            carry = ByteBuffer.allocate(Math.max(packetSize, n)).flip();
        }
        int have = carry.remaining();
        if (carry.capacity() - carry.limit() < n) {
            if (carry.capacity() - have >= n) {
                carry.compact().flip();
            } else {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(carry.capacity() * 2, have + n));
                bigger.put(carry).flip();
                carry = bigger;
            }
        }
        int lim = carry.limit();
        carry.limit(lim + n);
        carry.put(lim, src, src.position(), n);
        src.position(src.position() + n);
    }

    /** Decrypts the records in {@code src}, delivering plaintext, until it runs out or stops. */
    private void unwrapFrom(ByteBuffer src) {
        ByteBuffer dst = borrowAppIn();
        // BoringSSL reports the end of a handshake step (or an error a delegated task stored)
        // only on the call after the one that consumed its input: call once more then.
        boolean again = !src.hasRemaining();
        try {
            while ((src.hasRemaining() || again) && canDecrypt()) {
                again = false;
                SSLEngineResult r;
                try {
                    oneDst[0] = dst; // SSLEngine.unwrap(src, dst) would allocate this array
                    r = engine.unwrap(src, oneDst, 0, 1);
                } catch (SSLException | RuntimeException e) {
                    deliver(dst);
                    engineFailed(e);
                    return;
                }
                HandshakeStatus hs = r.getHandshakeStatus();
                switch (r.getStatus()) {
                    case BUFFER_UNDERFLOW -> {
                        if (hs != HandshakeStatus.NOT_HANDSHAKING || !handshakeDone) {
                            pump(); // may complete the handshake: the protocol exists after
                        }
                        deliver(dst);
                        return;
                    }
                    case BUFFER_OVERFLOW -> {
                        if (dst.position() > 0) {
                            deliver(dst);
                        } else {
                            appSize = Math.max(appSize * 2,
                                    engine.getSession().getApplicationBufferSize());
                            returnAppIn(dst);
                            dst = borrowAppIn();
                        }
                        continue;
                    }
                    case CLOSED -> {
                        deliver(dst);
                        inboundDone = true;
                        closeNotifyReceived = true;
                        onCloseNotify();
                        return;
                    }
                    default -> { }
                }
                if (!handshakeDone) {
                    // An engine may hand over the first application data with the end of the
                    // handshake (FINISHED): complete it, so the protocol exists, then deliver.
                    pump();
                }
                if (dst.remaining() < appSize) {
                    deliver(dst);
                }
                if (hs == HandshakeStatus.NEED_UNWRAP && r.bytesConsumed() > 0) {
                    again = true;
                }
                if (hs != HandshakeStatus.NOT_HANDSHAKING && handshakeDone) {
                    deliver(dst); // data before the renegotiation's messages goes first
                    pump();
                }
                if (r.bytesConsumed() == 0 && r.bytesProduced() == 0
                        && hs == HandshakeStatus.NOT_HANDSHAKING) {
                    break;
                }
            }
            deliver(dst);
        } finally {
            returnAppIn(dst);
        }
    }

    private void deliver(ByteBuffer dst) {
        if (dst.position() == 0 || (!handshakeDone && !handshakeFailed)) {
            return; // nothing, or no protocol yet: it is delivered once the handshake is done
        }
        dst.flip();
        if ((holdDelivery || readPaused) && !closing) {
            // Decrypted with the handshake's last record, before the protocol could pause (or
            // before startTls's caller has the transport): kept for when it reads again.
            held = appendTo(held, dst);
            dst.clear();
            return;
        }
        if (handshakeDone && !closing && app != null && !lost) {
            try {
                app.dataReceived(dst);
            } catch (Throwable t) {
                protocolFailed("dataReceived", t);
            }
        }
        dst.clear();
    }

    private ByteBuffer borrowAppIn() {
        int size = appSize * APP_IN_RECORDS;
        ByteBuffer b = buffers.borrowAppIn(size);
        if (b == null) {
            if (ownAppIn == null || ownAppIn.capacity() < size) {
                ownAppIn = ByteBuffer.allocateDirect(size);
            }
            b = ownAppIn.clear();
        }
        return b;
    }

    private void returnAppIn(ByteBuffer b) {
        buffers.returnAppIn(b);
    }

    /** startTls: the future's callbacks have run; deliver what was held, go on reading. */
    private void releaseHeld() {
        holdDelivery = false;
        scheduleDrain();
    }

    /** Delivers the plaintext kept while delivery was held; false if it must wait more. */
    private boolean deliverHeld() {
        if (held == null) {
            return true;
        }
        if (holdDelivery || readPaused || lost) {
            return false;
        }
        ByteBuffer h = held;
        held = null;
        if (h.hasRemaining() && !closing) {
            try {
                app.dataReceived(h);
            } catch (Throwable t) {
                protocolFailed("dataReceived", t);
                return false;
            }
        }
        return true;
    }

    /** Appends {@code src} to a heap buffer in read mode (made or grown as needed). */
    private static ByteBuffer appendTo(ByteBuffer b, ByteBuffer src) {
        if (b == null) {
            b = ByteBuffer.allocate(src.remaining()).flip();
        }
        if (b.capacity() - b.limit() < src.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(b.remaining() + src.remaining());
            bigger.put(b).flip();
            b = bigger;
        }
        int lim = b.limit();
        b.limit(lim + src.remaining());
        b.put(lim, src, src.position(), src.remaining());
        src.position(src.limit());
        return b;
    }

    /** Resumed reading: decrypt what waited in {@link #carry} (in a later step). */
    private void scheduleDrain() {
        if (((carry != null && carry.hasRemaining()) || held != null) && !drainScheduled) {
            drainScheduled = true;
            loop.callSoon(this::drainCarry);
        }
    }

    private void drainCarry() {
        drainScheduled = false;
        if (!deliverHeld()) {
            return;
        }
        if (carry != null && carry.hasRemaining() && canDecrypt()) {
            unwrapFrom(carry);
        }
    }

    // ------------------------------------------------------------------ handshake

    private void handshakeCompleted() {
        handshakeDone = true;
        cancelHandshakeTimer();
        SSLSession s = engine.getSession();
        packetSize = Math.max(packetSize, s.getPacketBufferSize());
        appSize = Math.max(appSize, s.getApplicationBufferSize());
        if (startTls) {
            if (waiter.isDone()) {
                abort();
                return;
            }
            if (app instanceof StreamProtocol sp) {
                sp.replaceTransport(this); // before any plaintext reaches the reader
            }
            waiter.setResult(this);
            maybeResumeProtocol(writeBufferSize()); // a pause carried over from the raw transport
            // No plaintext before whoever awaits the future has the new transport in hand: the
            // future's callbacks run in the next step, so delivery resumes just after them.
            holdDelivery = true;
            loop.callSoon(this::releaseHeld);
            return;
        }
        if (waiter != null && waiter.isDone()) { // the connect was cancelled meanwhile
            closing = true;
            raw.abort();
            return;
        }
        try {
            app = Objects.requireNonNull(appFactory.get(), "the protocol factory returned null");
        } catch (Throwable t) {
            closing = true;
            closedBy = "a failed protocol factory";
            if (waiter != null) {
                waiter.setException(t);
            } else {
                loop.callExceptionHandler(new ExceptionContext("the protocol factory of a TLS "
                        + "server failed; the connection from " + peerName() + " was closed", t,
                        this));
            }
            raw.abort();
            return;
        }
        Throwable failed = callConnectionMade();
        if (waiter != null) {
            if (failed != null) {
                waiter.setException(failed);
            } else {
                waiter.setResult(new Connection<>(this, app));
            }
        }
    }

    private void handshakeTimedOut() {
        handshakeTimer = null;
        if (handshakeDone || handshakeFailed || rawGone) {
            return;
        }
        handshakeFailed(new TlsHandshakeException(Reason.TIMEOUT, "TLS handshake with "
                + peerName() + " failed: timeout: not complete after "
                + config.handshakeTimeout().toMillis() + " ms", null));
        raw.abort();
    }

    /** Reports a failed handshake once: the client's future, or the server's listener. */
    private void handshakeFailed(TlsHandshakeException e) {
        if (handshakeFailed || handshakeDone) {
            return;
        }
        handshakeFailed = true;
        cancelHandshakeTimer();
        failure = e;
        closing = true;
        lostToError = true;
        closedBy = "a failed TLS handshake";
        if (waiter != null) {
            if (!waiter.isDone()) {
                waiter.setException(e);
            }
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, e.getMessage());
        var listener = config.handshakeFailureListener();
        if (listener != null) {
            try {
                listener.accept(e);
            } catch (Throwable t) {
                loop.callExceptionHandler(new ExceptionContext("the TLS handshake failure "
                        + "listener failed", t, this));
            }
        }
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
            handshakeTimer = null;
        }
    }

    /**
     * The engine threw: send the alert it may hold for the peer, report, close the raw transport.
     */
    private void engineFailed(Throwable e) {
        if (engineBroken) {
            return;
        }
        if (!handshakeDone) {
            handshakeFailed(TlsHandshakeException.from(peerName(), e));
        } else {
            failure = e;
            lostToError = true;
            closing = true;
            closedBy = "a TLS error";
        }
        backlog.clear();
        try {
            engine.closeOutbound();
            wrap(NOTHING, 0, 1, false); // the alert, if the engine made one
        } catch (RuntimeException ignored) {
            // nothing more to send
        }
        engineBroken = true;
        closeRawSoon();
    }

    /** Closes the raw transport gracefully (what is queued, an alert, is sent), bounded in time. */
    private void closeRawSoon() {
        if (rawGone || raw.isClosing()) {
            return;
        }
        raw.close();
        if (!rawGone && shutdownTimer == null) {
            shutdownTimer = loop.callLater(config.shutdownTimeout(), () -> {
                shutdownTimer = null;
                if (!rawGone) {
                    raw.abort();
                }
            });
        }
    }

    // ------------------------------------------------------------------ closing

    /** Closing, and everything written is out: close_notify. */
    private void maybeSendCloseNotify() {
        if (closing && !closeNotifySent && backlog.isEmpty() && !rawPaused && handshakeDone
                && !lostToError && !rawGone) {
            sendCloseNotify();
        }
    }

    private void sendCloseNotify() {
        closeNotifySent = true;
        engine.closeOutbound();
        // Wrap until the engine's outbound side is done: the JDK's engine asks for it
        // (NEED_WRAP), BoringSSL's says NOT_HANDSHAKING and still has the alert to give.
        ByteBuffer out = borrowNetOut();
        try {
            for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                SSLEngineResult r = engine.wrap(NOTHING, out);
                if (r.bytesProduced() == 0 && r.getStatus() != SSLEngineResult.Status.OK) {
                    break;
                }
            }
            sendNet(out);
        } catch (SSLException | RuntimeException e) {
            sendNet(out);
            returnNetOut(out);
            out = null;
            engineFailed(e);
            return;
        } finally {
            if (out != null) {
                returnNetOut(out);
            }
        }
        outboundDone = true;
        wrap(NOTHING, 0, 1, false); // anything else the engine still asks to send
        if (rawGone || engineBroken) {
            return;
        }
        if (inboundDone || netEof) {
            raw.close();
            return;
        }
        if (raw.canWriteEof() && !raw.isClosing()) {
            netEofSent = true;
            raw.writeEof(); // FIN after close_notify; keep reading for the peer's answer
        }
        if (readPaused) {
            raw.resumeReading();
        }
    }

    /** The peer's close_notify arrived. */
    private void onCloseNotify() {
        if (!handshakeDone) {
            handshakeFailed(new TlsHandshakeException(Reason.CONNECTION_CLOSED, "TLS handshake "
                    + "with " + peerName() + " failed: the peer sent close_notify during the "
                    + "handshake", null));
            closeRawSoon();
            return;
        }
        pump(); // a TLS 1.2 engine answers with its own close_notify
        if (rawGone) {
            return;
        }
        if (closing) {
            if (closeNotifySent || outboundDone) {
                raw.close();
            }
            return;
        }
        boolean keep = callEofReceived();
        if (rawGone || lost) {
            return;
        }
        if (keep) {
            keepOpenAfterEof = true;
        } else if (!closing) {
            close();
            closedBy = "close() after close_notify from the peer";
        }
    }

    private boolean callEofReceived() {
        try {
            return app.eofReceived();
        } catch (Throwable t) {
            protocolFailed("eofReceived", t);
            return false;
        }
    }

    /** The raw transport reached end-of-stream. */
    private boolean onNetEof() {
        netEof = true;
        if (engine == null || !handshakeDone) {
            if (!handshakeFailed) {
                handshakeFailed(new TlsHandshakeException(Reason.CONNECTION_CLOSED, "TLS "
                        + "handshake with " + peerName() + " failed: the peer closed the "
                        + "connection during the handshake", null));
            }
            return false;
        }
        if (closing) {
            return false; // the peer is gone: finish closing
        }
        if (inboundDone) {
            return keepOpenAfterEof;
        }
        try {
            engine.closeInbound();
        } catch (SSLException expected) {
            // "closing inbound before receiving peer's close_notify": that is what happened
        }
        inboundDone = true;
        boolean midRecord = carry != null && carry.hasRemaining();
        if (midRecord || config.requireCloseNotify()) {
            failure = new TlsTruncationException("the peer " + peerName() + " closed the "
                    + "connection without a TLS close_notify" + (midRecord
                    ? ", in the middle of a record" : "") + ": the data may be truncated");
            lostToError = true;
            closing = true;
            closedBy = "a truncated TLS stream";
            backlog.clear();
            return false;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "TLS peer " + peerName() + " closed the "
                + "connection without close_notify");
        boolean keep = callEofReceived();
        if (rawGone || lost) {
            return false;
        }
        if (!keep) {
            if (!closing) {
                close();
                closedBy = "close() after end-of-stream from the peer";
            }
            return true; // closed by us once the close_notify is out
        }
        keepOpenAfterEof = true;
        return true;
    }

    private void shutdownTimedOut() {
        shutdownTimer = null;
        if (rawGone) {
            return;
        }
        if (failure == null) {
            failure = new SocketTimeoutException("TLS shutdown with " + peerName() + " not "
                    + "complete after " + config.shutdownTimeout().toMillis() + " ms (no "
                    + "close_notify or end-of-stream from the peer, or it stopped reading): reset");
        }
        raw.abort();
    }

    private void onRawLost(Throwable cause) {
        rawGone = true;
        cancelHandshakeTimer();
        if (shutdownTimer != null) {
            shutdownTimer.cancel();
            shutdownTimer = null;
        }
        backlog.clear();
        if (engine != null) {
            config.engineFactory().release(engine);
        }
        if (!handshakeDone) {
            if (!handshakeFailed) {
                handshakeFailed(new TlsHandshakeException(Reason.CONNECTION_CLOSED, "TLS "
                        + "handshake with " + peerName() + " failed: the connection "
                        + (cause != null ? "failed: " + cause.getMessage() : "was closed")
                        + " during the handshake", cause));
            }
            if (!startTls) {
                lost = true;
                return;
            }
        }
        if (lost) {
            return;
        }
        lost = true;
        Throwable c = failure != null ? failure : cause;
        try {
            app.connectionLost(c);
        } catch (Throwable t) {
            loop.callExceptionHandler(new ExceptionContext("protocol.connectionLost() failed", t,
                    this));
        }
    }

    // ------------------------------------------------------------------ Transport

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        loop.checkThread("TlsTransport.write");
        if (!writable("write")) {
            data.position(data.limit());
            return;
        }
        if (!data.hasRemaining()) {
            return;
        }
        if (backlog.isEmpty() && !rawPaused && !pumping
                && engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING) {
            one[0] = data;
            try {
                wrap(one, 0, 1, true);
            } finally {
                one[0] = null;
            }
        }
        backlog.append(data); // what the engine or the raw transport could not take now
        if (engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
            pump();
        }
        maybePauseProtocol(writeBufferSize());
    }

    @Override
    public void write(ByteBuffer... data) {
        requireBuffers(data);
        loop.checkThread("TlsTransport.write");
        if (!writable("write")) {
            consumeAll(data);
            return;
        }
        if (backlog.isEmpty() && !rawPaused && !pumping
                && engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING) {
            long total = remaining(data, 0, data.length);
            if (data.length > 1 && total <= GATHER_LIMIT) {
                // Small pieces become one record: copy them together first (the JDK's engine
                // would gather them itself, BoringSSL's writes one record per buffer).
                ByteBuffer g = buffers.borrowGather(GATHER_LIMIT);
                if (g == null) { // lent to an outer layer (TLS inside TLS)
                    g = ByteBuffer.allocate(GATHER_LIMIT);
                }
                try {
                    for (ByteBuffer b : data) {
                        g.put(b);
                    }
                    g.flip();
                    one[0] = g;
                    wrap(one, 0, 1, true);
                    if (g.hasRemaining()) {
                        backlog.append(g);
                    }
                } finally {
                    one[0] = null;
                    buffers.returnGather(g);
                }
            } else {
                wrap(data, 0, data.length, true);
            }
        }
        for (ByteBuffer b : data) {
            backlog.append(b);
        }
        if (engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
            pump();
        }
        maybePauseProtocol(writeBufferSize());
    }

    private boolean writable(String method) {
        if (closing) {
            if (lostToError) {
                return false;
            }
            throw new IllegalStateException("TlsTransport." + method + ": the transport is "
                    + (lost ? "closed" : "closing") + " (" + closedBy + " was called); nothing "
                    + "can be written after close() or abort()");
        }
        if (outboundDone) {
            return false; // the engine closed its side (a TLS 1.2 peer's close_notify)
        }
        return true;
    }

    @Override
    public void writeEof() {
        throw new UnsupportedOperationException("TLS transports do not support half-close "
                + "(writeEof; canWriteEof() is false): close() sends close_notify");
    }

    @Override
    public boolean canWriteEof() {
        return false;
    }

    @Override
    public void close() {
        loop.checkThread("TlsTransport.close");
        if (closing) {
            return;
        }
        closing = true;
        closedBy = "close()";
        if (!handshakeDone || engine == null || rawGone) {
            closeRawSoon();
            return;
        }
        shutdownTimer = loop.callLater(config.shutdownTimeout(), this::shutdownTimedOut);
        if (readPaused) {
            raw.resumeReading(); // the peer's close_notify must be read; data is discarded
        }
        pump();
    }

    @Override
    public void abort() {
        loop.checkThread("TlsTransport.abort");
        if (lost) {
            return;
        }
        closing = true;
        if (closedBy == null) {
            closedBy = "abort()";
        }
        backlog.clear();
        if (!rawGone) {
            raw.abort();
        }
    }

    @Override
    void forceClose(Throwable cause) {
        if (lost) {
            return;
        }
        if (failure == null) {
            failure = cause;
        }
        lostToError = true;
        closing = true;
        closedBy = "a connection failure";
        backlog.clear();
        if (!rawGone) {
            raw.abort();
        }
    }

    @Override
    void closeWithLoop() {
        abort();
    }

    @Override
    void protocolConnectionMade() {
        app.connectionMade(this);
    }

    @Override
    void protocolPauseWriting() {
        if (app != null) {
            app.pauseWriting();
        }
    }

    @Override
    void protocolResumeWriting() {
        if (app != null) {
            app.resumeWriting();
        }
    }

    @Override
    void protocolConnectionLost(Throwable cause) {
        app.connectionLost(cause);
    }

    @Override
    void readingChanged() {
        if (rawGone) {
            return;
        }
        if (readPaused) {
            raw.pauseReading();
        } else {
            raw.resumeReading();
            scheduleDrain();
        }
    }

    @Override
    void limitsChanged() {
        if (lost) {
            return;
        }
        long size = writeBufferSize();
        if (size > high) {
            maybePauseProtocol(size);
        } else {
            maybeResumeProtocol(size);
        }
    }

    @Override
    public boolean isReading() {
        return !closing && !readPaused && !inboundDone && !netEof;
    }

    @Override
    public int writeBufferHighWater() {
        return high;
    }

    @Override
    public int writeBufferLowWater() {
        return low;
    }

    @Override
    public long writeBufferSize() {
        return backlog.size() + (rawGone ? 0 : raw.writeBufferSize());
    }

    @Override
    public void setIdleTimeout(Duration timeout) {
        raw.setIdleTimeout(timeout);
    }

    @Override
    public Duration idleTimeout() {
        return raw.idleTimeout();
    }

    @Override
    public Protocol getProtocol() {
        return app;
    }

    @Override
    public void setProtocol(Protocol protocol) {
        loop.checkThread("TlsTransport.setProtocol");
        this.app = Objects.requireNonNull(protocol, "protocol");
    }

    // ------------------------------------------------------------------ TlsTransport

    @Override
    public SSLSession session() {
        return engine == null ? null : engine.getSession();
    }

    @Override
    public String applicationProtocol() {
        String p = engine == null ? null : engine.getApplicationProtocol();
        return p == null || p.isEmpty() ? null : p;
    }

    @Override
    public String requestedServerName() {
        if (!config.isServer() || engine == null
                || !(engine.getSession() instanceof ExtendedSSLSession s)) {
            return null;
        }
        try {
            for (SNIServerName n : s.getRequestedServerNames()) {
                if (n instanceof SNIHostName h) {
                    return h.getAsciiName();
                }
            }
        } catch (UnsupportedOperationException e) {
            return null;
        }
        return null;
    }

    @Override
    public boolean closeNotifyReceived() {
        return closeNotifyReceived;
    }

    @Override
    public void renegotiate() {
        loop.checkThread("TlsTransport.renegotiate");
        if (closing || rawGone) {
            throw new IllegalStateException("renegotiate: the transport is closing: " + this);
        }
        try {
            engine.beginHandshake();
        } catch (SSLException | UnsupportedOperationException e) {
            throw new UnsupportedOperationException("the '" + config.engine() + "' TLS engine "
                    + "cannot start a new handshake on this connection ("
                    + session().getProtocol() + "): " + e.getMessage(), e);
        }
        pump();
    }

    @Override
    public Transport rawTransport() {
        return raw;
    }

    private String peerName() {
        SocketAddress p = peer != null ? peer : raw.peerAddress();
        String addr = p != null ? Addresses.format(p) : "?";
        if (!config.isServer() && peerHost != null && p instanceof InetSocketAddress a
                && !peerHost.equals(a.getAddress().getHostAddress())) {
            return peerHost + " (" + addr + ")";
        }
        return addr;
    }

    @Override
    public String toString() {
        String state = lost ? "closed" : closing ? "closing" : !handshakeDone ? "handshaking"
                : "open";
        return "TlsTransport[" + (local != null ? Addresses.format(local) : "?") + " -> "
                + peerName() + ", " + state + (engine != null && handshakeDone
                ? ", " + engine.getSession().getProtocol() : "") + ", engine=" + config.engine()
                + (readPaused ? ", reading paused" : "") + ", buffered=" + writeBufferSize() + "]";
    }

    // ------------------------------------------------------------------ the raw side

    /** The raw transport's protocol: ciphertext in, flow-control signals, end, loss. */
    private final class RawSide implements Protocol {
        @Override
        public void dataReceived(ByteBuffer data) {
            onNetData(data);
        }

        @Override
        public boolean eofReceived() {
            return onNetEof();
        }

        @Override
        public void connectionLost(Throwable cause) {
            onRawLost(cause);
        }

        @Override
        public void pauseWriting() {
            rawPaused = true;
        }

        @Override
        public void resumeWriting() {
            rawPaused = false;
            if (engine == null || rawGone) {
                return;
            }
            pump();
            if (handshakeDone && !lost) {
                maybeResumeProtocol(writeBufferSize());
            }
        }

        @Override
        public String toString() {
            return "TlsLayer.RawSide[" + TlsLayer.this + "]";
        }
    }
}
