package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.Poller;
import dev.pollen.spi.ReadDrainedHint;
import dev.pollen.spi.Registration;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@link Transport} of a TCP or Unix stream socket, and the socket's {@link IoHandler}: one
 * registration for the socket's whole life, connecting phase included.
 *
 * <p>Hot paths. A read lands in the loop's shared direct buffer ({@link NetLoopState}) and is
 * handed to the protocol; a write goes straight to the socket when nothing is queued, and only
 * what the kernel refuses is copied into the {@link WriteQueue}. Interest is recomputed only when
 * the state changes (queue empty/non-empty, pause, EOF, close), and {@link Registration#interest}
 * is called only when the mask differs. Nothing on these paths allocates. A read that finds the
 * kernel's buffer empty (short, none available, end of stream) is told to a poller that offers a
 * {@link ReadDrainedHint} (io_uring's multishot poll), which then needs no check of its own.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class StreamTransport extends AbstractTransport implements Transport, IoHandler,
        IdleTimer.Expiry {

    /** Reads per readiness event while each fills the whole buffer (fairness vs syscalls). */
    private static final int MAX_READS_PER_EVENT = 4;
    /** The longest run of full reads not followed by a second read (see {@link #rereadSkip}). */
    private static final int MAX_REREAD_SKIP = 64;

    private final StreamSocket socket;
    /**
     * What the kernel did not take at once; null until the first byte is queued. An echo-like
     * connection whose writes all go straight out never makes one, and its message path touches
     * one object fewer (a cache miss per message with 1,000 connections; docs/networking.md).
     */
    private WriteQueue queue;
    /**
     * Full reads still to be handled without reading again at once ({@link #readReady}). A read
     * that fills the buffer is followed by another only while that pays: one that then finds
     * nothing (EAGAIN: the peer had sent exactly one buffer, as a request/response peer with
     * that much in flight does every time) skips the next {@link #rereadBackoff} full reads'
     * second read, doubling up to {@link #MAX_REREAD_SKIP}; one that finds bytes resets it.
     * Skipping is safe on every poller: readiness is level-triggered ({@code Poller}), so
     * bytes left waiting are reported again (docs/networking.md § Decisions).
     */
    private int rereadSkip;
    /** The skip the next read-again that finds nothing sets; 0 while read-agains pay. */
    private int rereadBackoff;
    private final boolean tcp;
    /** The idle timer; null while no idle timeout was ever set (the default). */
    private IdleTimer idle;
    private Registration registration;
    /** The registration as a {@link ReadDrainedHint} if its poller offers one, else null. */
    private ReadDrainedHint drainHint;
    private Protocol protocol;
    private ConnectCallback connecting;
    private Server server;
    /** The transport the user sees when a TLS layer runs on this one, else null. */
    Transport front;

    private boolean eofReceived;
    private boolean eofRequested;
    private boolean eofSent;
    private boolean socketClosed;
    private boolean lostToError;
    /** What made the transport unwritable, for the message of a late write. */
    private String closedBy;
    /** Net.sendfile's zero-copy transfer while it owns the socket's writability, else null. */
    private ZeroCopySendfile sendfile;
    /** Splice forwarding ({@link SpliceFlow}): the flow this transport reads into, else null. */
    private SpliceFlow spliceSource;
    /** The flow whose pipe drains into this transport (the tail of its write queue), else null. */
    private SpliceFlow spliceSink;

    StreamTransport(EventLoop loop, NetLoopState net, StreamSocket socket, boolean tcp,
            NetOptions options) {
        super(loop, net, options, "Transport", "aborting the connection");
        this.socket = socket;
        this.tcp = tcp;
        if (options.idleTimeout() != null) {
            idle = new IdleTimer(loop, this);
            idle.set(options.idleTimeout());
        }
        net.track(this);
    }

    // ------------------------------------------------------------------ life cycle

    /** Registers a connecting socket; {@code callback} hears how the connect ends. */
    void startConnect(ConnectCallback callback) {
        connecting = callback;
        // A non-blocking connect reports completion (or failure) as writability.
        registration = loop.poller().register(socket, Poller.WRITE, this);
        drainHint = registration instanceof ReadDrainedHint h ? h : null;
    }

    /** Registers an accepted (already connected) socket. */
    void register() {
        registration = loop.poller().register(socket, Poller.READ, this);
        drainHint = registration instanceof ReadDrainedHint h ? h : null;
    }

    /** Gives up a connect attempt that is still in progress (timeout or cancel). */
    void cancelConnect() {
        connecting = null;
        lost = true;
        closing = true;
        closeSocket();
    }

    /** The owning server, told when the connection is lost. */
    void server(Server s) {
        this.server = s;
    }

    /**
     * Attaches the protocol and calls {@code connectionMade}.
     *
     * @return null, or what {@code connectionMade} threw (the transport is then aborted)
     */
    Throwable start(Protocol p) {
        protocol = Objects.requireNonNull(p, "the protocol factory returned null");
        local = socket.localAddress();
        peer = socket.remoteAddress();
        updateInterest();
        if (idle != null) {
            idle.start();
        }
        return callConnectionMade();
    }

    @Override
    void protocolConnectionMade() {
        protocol.connectionMade(this);
    }

    // ------------------------------------------------------------------ readiness

    @Override
    public void onReady(int readyOps) {
        try {
            if (connecting != null) {
                finishConnect();
                return;
            }
            if ((readyOps & Poller.READ) != 0) {
                readReady();
            }
            if ((readyOps & Poller.WRITE) != 0 && !socketClosed) {
                if (sendfile != null && queueEmpty()) {
                    sendfile.writable();
                } else {
                    writeReady();
                }
            }
        } catch (Throwable t) {
            unexpectedError(t);
        }
    }

    private void finishConnect() {
        ConnectCallback cb = connecting;
        boolean done;
        try {
            done = socket.finishConnect();
        } catch (IOException e) {
            connecting = null;
            lost = true;
            closing = true;
            closeSocket();
            cb.connectFailed(this, e);
            return;
        }
        if (done) {
            connecting = null;
            cb.connected(this);
        }
    }

    private void readReady() {
        SpliceFlow flow = spliceSource;
        if (flow != null && flow.bulk && flow.reserve()) {
            spliceReady();
            return; // else no kernel pipe now: copy this time (SpliceFlow)
        }
        ByteBuffer buf = readBuffer;
        for (int i = 0; i < MAX_READS_PER_EVENT; i++) {
            buf.clear();
            int n;
            try {
                n = socket.read(buf);
            } catch (IOException e) {
                fatalError(e);
                return;
            }
            if (n == 0) {
                if (i > 0) {
                    // Reading again after a full read found nothing: back off (rereadSkip).
                    int b = rereadBackoff == 0 ? 1 : Math.min(rereadBackoff * 2, MAX_REREAD_SKIP);
                    rereadBackoff = b;
                    rereadSkip = b;
                }
                readDrained();
                return; // spurious readiness (or drained): wait for the next event
            }
            if (i > 0) {
                rereadBackoff = 0; // the read-again paid: keep reading on while reads are full
            }
            touch();
            if (n < 0) {
                readDrained();
                readEof();
                return;
            }
            if (n < buf.capacity()) {
                readDrained(); // before the protocol runs: it may close or re-register
            }
            buf.flip();
            try {
                protocol.dataReceived(buf);
            } catch (Throwable t) {
                protocolFailed("dataReceived", t);
                return;
            }
            if (n < buf.capacity() || !isReading()) {
                return; // a short read means the kernel's buffer is empty: no need to ask again
            }
            if (flow != null && !flow.bulk) {
                flow.bulk = true; // a full read: bulk traffic, splice from now on (SpliceFlow)
                if (flow.reserve()) {
                    spliceReady();
                    return;
                }
            }
            if (rereadSkip > 0) {
                rereadSkip--;
                return; // bytes may wait: the level-triggered poller reports them again
            }
        }
    }

    /** The last read found the kernel's buffer empty: tell a poller that can use it. */
    private void readDrained() {
        if (drainHint != null) {
            drainHint.readDrained();
        }
    }

    private void readEof() {
        eofReceived = true;
        updateInterest();
        boolean keepOpen;
        try {
            keepOpen = protocol.eofReceived();
        } catch (Throwable t) {
            protocolFailed("eofReceived", t);
            return;
        }
        if (!keepOpen && !closing) {
            close();
            closedBy = "close() after end-of-stream from the peer";
        }
    }

    private void writeReady() {
        try {
            if (queue != null && queue.writeTo(socket) > 0) {
                touch();
            }
        } catch (IOException e) {
            fatalError(e);
            return;
        }
        SpliceFlow sink = spliceSink;
        if (sink != null && sink.buffered() > 0) {
            if (drainSplice()) {
                // The pipe is empty: the source, stopped with more waiting most likely, refills it
                // now rather than after its READ interest is added back and reported (splicing
                // bound by this destination then costs no epoll_ctl per pipeful).
                StreamTransport source = sink.from;
                if (source.isReading()) {
                    source.spliceReady();
                } else {
                    sink.releaseIfEmpty();
                }
                source.updateInterest();
                if (socketClosed) {
                    return;
                }
            } else if (socketClosed) {
                return;
            }
        }
        afterFlush();
    }

    /** After the queue shrank: resume the protocol, finish a pending writeEof or close. */
    private void afterFlush() {
        if (maybeResumeProtocol(pending()) && socketClosed) {
            return;
        }
        if (nothingPending()) {
            if (eofRequested && !eofSent && !shutdownOutput()) {
                return;
            }
            if (closing) {
                closeSocket();
                scheduleLost(null);
                return;
            }
        }
        updateInterest();
    }

    private void updateInterest() {
        if (socketClosed) {
            return;
        }
        int ops;
        if (connecting != null) {
            ops = Poller.WRITE;
        } else {
            ops = nothingPending() && sendfile == null ? 0 : Poller.WRITE;
            if (!readPaused && !eofReceived && !closing
                    && (spliceSource == null || !spliceSource.blocked())) {
                ops |= Poller.READ;
            }
        }
        if (registration.interest() != ops) {
            registration.interest(ops);
        }
    }

    // ------------------------------------------------------------------ writing

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        loop.checkThread("Transport.write");
        if (!writable("write")) {
            data.position(data.limit());
            return;
        }
        if (!data.hasRemaining()) {
            return;
        }
        if (nothingPending()) {
            try {
                if (socket.write(data) > 0) {
                    touch();
                }
            } catch (IOException e) {
                fatalError(e);
                return;
            }
            if (!data.hasRemaining()) {
                return;
            }
            queue().append(data);
            updateInterest();
        } else {
            queue().append(data);
        }
        maybePauseProtocol(pending());
    }

    @Override
    public void write(ByteBuffer... data) {
        requireBuffers(data);
        loop.checkThread("Transport.write");
        if (!writable("write")) {
            consumeAll(data);
            return;
        }
        if (nothingPending()) {
            try {
                // Cap the gather at MAX_IOV buffers: writev fails with EINVAL beyond IOV_MAX.
                if (socket.write(data, 0, Math.min(data.length, WriteQueue.MAX_IOV)) > 0) {
                    touch();
                }
            } catch (IOException e) {
                fatalError(e);
                return;
            }
            appendAll(data);
            if (queueEmpty()) {
                return;
            }
            updateInterest();
        } else {
            appendAll(data);
        }
        maybePauseProtocol(pending());
    }

    /**
     * Whether a write may go ahead: throws after the user closed it, returns false (drop the data
     * quietly, as asyncio does) after the connection failed.
     */
    private boolean writable(String method) {
        if (sendfile != null) {
            throw sendfileInProgress(method);
        }
        if (closing || eofRequested) {
            if (lostToError) {
                return false;
            }
            throw new IllegalStateException("Transport." + method + ": the transport is "
                    + (lost ? "closed" : "closing") + " (" + closedBy + " was called); nothing can "
                    + "be written after close(), abort() or writeEof()");
        }
        return true;
    }

    @Override
    public void writeEof() {
        loop.checkThread("Transport.writeEof");
        if (closing || eofRequested) {
            return;
        }
        if (sendfile != null) {
            throw sendfileInProgress("writeEof");
        }
        eofRequested = true;
        closedBy = "writeEof()";
        if (nothingPending()) {
            shutdownOutput();
        }
    }

    private boolean shutdownOutput() {
        try {
            socket.shutdownOutput();
            eofSent = true;
            return true;
        } catch (IOException e) {
            fatalError(e);
            return false;
        }
    }

    @Override
    public boolean canWriteEof() {
        return true;
    }

    @Override
    void protocolPauseWriting() {
        protocol.pauseWriting();
    }

    @Override
    void protocolResumeWriting() {
        protocol.resumeWriting();
    }

    @Override
    void limitsChanged() {
        if (lost) {
            return;
        }
        if (pending() > high) {
            maybePauseProtocol(pending());
        } else {
            maybeResumeProtocol(pending());
        }
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
        return pending();
    }

    // ------------------------------------------------------------------ closing

    @Override
    public void close() {
        loop.checkThread("Transport.close");
        if (closing) {
            return;
        }
        closing = true;
        closedBy = "close()";
        if (nothingPending()) {
            closeSocket();
            scheduleLost(null);
        } else {
            updateInterest(); // stop reading; keep flushing
        }
    }

    @Override
    public void abort() {
        loop.checkThread("Transport.abort");
        if (lost) {
            return;
        }
        closing = true;
        closedBy = "abort()";
        clearQueue();
        if (tcp && !socketClosed) {
            try {
                // Linger 0: close sends RST instead of FIN, so the peer sees a reset.
                socket.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException ignored) {
                // a plain close is the best we can do
            }
        }
        closeSocket();
        scheduleLost(null);
    }

    /** Closes because the connection failed: discard the queue, report {@code cause}. */
    private void fatalError(IOException cause) {
        forceClose(cause);
    }

    @Override
    void forceClose(Throwable cause) {
        if (lost) {
            return;
        }
        lostToError = true;
        closing = true;
        closedBy = "a connection failure";
        connecting = null;
        clearQueue();
        endSendfile(cause);
        closeSocket();
        scheduleLost(cause);
    }

    private void closeSocket() {
        endSendfile(null);
        if (idle != null) {
            idle.stop();
        }
        if (!socketClosed) {
            socketClosed = true;
            net.untrack(this);
            if (spliceSink != null) {
                spliceSink.close(); // what the pipe still holds can go nowhere now
            }
            socket.close(); // also cancels the registration
        }
    }

    @Override
    void protocolConnectionLost(Throwable cause) {
        protocol.connectionLost(cause);
    }

    @Override
    void afterConnectionLost() {
        if (server != null) {
            server.detach(this);
        }
    }

    @Override
    void closeWithLoop() {
        connecting = null;
        abort();
    }

    // ------------------------------------------------------------------ sendfile (zero-copy)

    /**
     * The socket's kernel file sender, or null where there is none: TLS runs on this transport,
     * or the backend cannot (see {@link StreamSocket#fileSender}).
     */
    StreamSocket.FileSender fileSender(FileChannel file) throws IOException {
        return front == null && !socketClosed ? socket.fileSender(file) : null;
    }

    /** Whether a zero-copy sendfile owns the socket's writability now. */
    boolean sendfileActive() {
        return sendfile != null;
    }

    /** Hands writability to {@code s}: writes are refused, the buffer flushes, then it runs. */
    void sendfileAttach(ZeroCopySendfile s) {
        sendfile = s;
        updateInterest(); // WRITE: flush the queue, then the first readiness starts the copy
    }

    /** Takes writability back from {@code s} (done, failed or cancelled). */
    void sendfileDetach(ZeroCopySendfile s) {
        if (sendfile == s) {
            sendfile = null;
            updateInterest();
        }
    }

    /** The kernel copy sent bytes. */
    void sendfileProgress() {
        touch();
    }

    /** The kernel copy failed: the connection is lost, as for a failed write. */
    void sendfileFailed(IOException e) {
        fatalError(e);
    }

    /** The socket closes under a running sendfile: it fails with what it sent. */
    private void endSendfile(Throwable cause) {
        ZeroCopySendfile s = sendfile;
        if (s != null) {
            sendfile = null;
            s.transportLost(cause);
        }
    }

    private IllegalStateException sendfileInProgress(String method) {
        return new IllegalStateException("Transport." + method + ": a sendfile is in progress on "
                + "this transport; write after its future completes");
    }

    // ------------------------------------------------------------------ idle timeout

    @Override
    public void setIdleTimeout(Duration timeout) {
        loop.checkThread("Transport.setIdleTimeout");
        if (idle == null) {
            IdleTimer.check("idle timeout", timeout);
            if (timeout == null) {
                return; // none, as before
            }
            IdleTimer t = new IdleTimer(loop, this);
            if (socketClosed) {
                t.stop(); // closed: never fires
            }
            if (protocol != null) {
                t.start(); // established (start() ran): the idle period begins with set()
            }
            idle = t;
        }
        idle.set(timeout);
    }

    @Override
    public Duration idleTimeout() {
        return idle == null ? null : idle.get();
    }

    /** Bytes moved: restarts the idle period (nothing when no idle timeout was ever set). */
    private void touch() {
        IdleTimer t = idle;
        if (t != null) {
            t.touch();
        }
    }

    @Override
    public void idleTimeout(long idleNanos) {
        if (lost) {
            return;
        }
        long ms = idleNanos / 1_000_000;
        SocketTimeoutException e = new SocketTimeoutException("connection "
                + (local != null ? Addresses.format(local) : "?") + " -> "
                + (peer != null ? Addresses.format(peer) : "?") + " idle for " + ms
                + " ms (idle timeout " + idle.get().toMillis() + " ms): closed");
        if (tcp && !socketClosed) {
            try {
                // Reset rather than FIN: a stalled peer must not keep the kernel holding our unsent
                // bytes (and the socket in FIN_WAIT) after we gave up on it.
                socket.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException ignored) {
                // a plain close is the best we can do
            }
        }
        forceClose(e);
    }

    // ------------------------------------------------------------------ reading control

    @Override
    void readingChanged() {
        updateInterest();
    }

    @Override
    public boolean isReading() {
        return !closing && !readPaused && !eofReceived
                && (spliceSource == null || !spliceSource.blocked());
    }

    // ------------------------------------------------------------------ accessors

    @Override
    public Protocol getProtocol() {
        return protocol;
    }

    @Override
    public void setProtocol(Protocol protocol) {
        loop.checkThread("Transport.setProtocol");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
    }

    /** What {@link Server#closeClients()} closes: the TLS transport on top, or this. */
    Transport front() {
        return front != null ? front : this;
    }

    // ------------------------------------------------------------------ splice (SpliceFlow)

    /** The socket, for {@link SpliceFlow#start}. */
    StreamSocket socket() {
        return socket;
    }

    /** Whether a splicing pipe already runs on this transport. */
    boolean hasSplice() {
        return spliceSource != null || spliceSink != null;
    }

    /** From now on this transport reads through {@code source} and drains {@code sink}. */
    void startSplice(SpliceFlow source, SpliceFlow sink) {
        spliceSource = source;
        spliceSink = sink;
        updateInterest();
    }

    /** Bytes accepted but not yet sent: the queue, then the splice pipe draining into us. */
    private long pending() {
        long queued = queue == null ? 0 : queue.size();
        return spliceSink == null ? queued : queued + spliceSink.buffered();
    }

    private boolean nothingPending() {
        return queueEmpty() && (spliceSink == null || spliceSink.buffered() == 0);
    }

    /** Whether nothing waits in the write queue (none made yet counts as empty). */
    private boolean queueEmpty() {
        WriteQueue q = queue;
        return q == null || q.isEmpty();
    }

    /** The write queue, made on first use. */
    private WriteQueue queue() {
        WriteQueue q = queue;
        if (q == null) {
            q = new WriteQueue(net.pool);
            queue = q;
        }
        return q;
    }

    /** Queues what the kernel did not take of a gathering write. */
    private void appendAll(ByteBuffer[] data) {
        for (ByteBuffer b : data) {
            if (b.hasRemaining()) {
                queue().append(b);
            }
        }
    }

    /** Drops what is queued (its chunks go back to the pool). */
    private void clearQueue() {
        if (queue != null) {
            queue.clear();
        }
    }

    /**
     * Readiness to read while splicing (the pipe reserved): move bytes into the pipe and on to
     * the destination; give the pipe back when the pass leaves it empty.
     */
    private void spliceReady() {
        SpliceFlow f = spliceSource;
        for (int i = 0; i < MAX_READS_PER_EVENT; i++) {
            if (f.blocked()) {
                updateInterest();
                return;
            }
            int n;
            try {
                n = f.pipe.fill();
            } catch (IOException e) {
                fatalError(e);
                return;
            }
            if (n == 0) {
                f.releaseIfEmpty();
                return; // nothing more now: wait for the next event
            }
            touch();
            if (n < 0) {
                f.releaseIfEmpty();
                readEof();
                return;
            }
            f.moved += n;
            StreamTransport to = f.to;
            if (!to.drainSplice()) {
                updateInterest(); // the destination is full: stop reading until it drains
                return;
            }
            if (to.closing || (to.eofRequested && !to.eofSent)) {
                to.afterFlush(); // it waited for the pipe: finish its close or writeEof
                if (to.socketClosed) {
                    // Its close gave the pipe back (SpliceFlow.close): another fill would splice
                    // into no pipe at all (EBADF). What the source sends now goes nowhere, as
                    // the copy path drops it (Pipe), until its own close follows.
                    return;
                }
            }
            if (!isReading()) {
                break;
            }
        }
        f.releaseIfEmpty();
    }

    /**
     * Moves the splice pipe's bytes into the socket once the write queue is empty (so what was
     * queued before goes first). False if some stay (interest then includes WRITE) or the
     * transport failed.
     *
     * @return true if the pipe is empty
     */
    boolean drainSplice() {
        if (socketClosed) {
            return false;
        }
        SpliceFlow f = spliceSink;
        if (queueEmpty()) {
            // One splice moves all the send buffer takes; a short one means it is full, and
            // another call would only answer EAGAIN.
            if (f.buffered() > 0) {
                try {
                    if (f.pipe.drain() > 0) {
                        touch();
                    }
                } catch (IOException e) {
                    fatalError(e);
                    return false;
                }
            }
            if (f.buffered() == 0) {
                return true;
            }
        }
        updateInterest();
        maybePauseProtocol(pending());
        return false;
    }

    /** Whether the protocol is paused for writing (for pipe and tests). */
    boolean isProtocolPaused() {
        return protocolPaused;
    }

    @Override
    public String toString() {
        String state = lost ? "closed" : closing ? "closing" : connecting != null ? "connecting"
                : "open";
        return "Transport[" + (local != null ? Addresses.format(local) : "?") + " -> "
                + (peer != null ? Addresses.format(peer) : "?") + ", " + state
                + (readPaused ? ", reading paused" : "") + ", buffered="
                + (queue == null ? 0 : queue.size()) + "]";
    }
}
