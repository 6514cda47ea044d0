package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * The {@link DatagramTransport} of a UDP socket and its {@link IoHandler}. Receives land in the
 * loop's shared read buffer; sends go straight to the kernel and only a datagram it refuses is
 * copied into the queue.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class UdpTransport extends AbstractTransport implements DatagramTransport, IoHandler {

    /** Datagrams received per readiness event at most. */
    private static final int MAX_RECEIVES_PER_EVENT = 16;

    private final DatagramSocket socket;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private DatagramProtocol protocol;
    private Registration registration;
    private long queuedBytes;
    /** close() or abort() was called (a later send throws instead of being dropped). */
    private boolean userClosed;

    private record Pending(ByteBuffer data, SocketAddress target) {
    }

    UdpTransport(EventLoop loop, DatagramSocket socket, NetOptions options) {
        super(loop, NetLoopState.of(loop), options, "DatagramTransport", "closing the endpoint");
        this.socket = socket;
        this.local = socket.localAddress();
        this.peer = socket.remoteAddress();
        net.track(this);
    }

    /** Registers the socket and calls {@code connectionMade}; returns what it threw, or null. */
    Throwable start(DatagramProtocol p) {
        protocol = p;
        registration = loop.poller().register(socket, Poller.READ, this);
        return callConnectionMade();
    }

    @Override
    void protocolConnectionMade() {
        protocol.connectionMade(this);
    }

    @Override
    public void onReady(int readyOps) {
        try {
            if ((readyOps & Poller.READ) != 0) {
                readReady();
            }
            if ((readyOps & Poller.WRITE) != 0 && !lost) {
                flush();
            }
        } catch (Throwable t) {
            unexpectedError(t);
        }
    }

    private void readReady() {
        ByteBuffer buf = readBuffer;
        for (int i = 0; i < MAX_RECEIVES_PER_EVENT && !closing && !readPaused; i++) {
            buf.clear();
            SocketAddress from;
            try {
                from = socket.receive(buf);
            } catch (IOException e) {
                // e.g. ECONNREFUSED queued by an ICMP port-unreachable for an earlier send
                errorReceived(e);
                return;
            }
            if (from == null) {
                return;
            }
            buf.flip();
            try {
                protocol.datagramReceived(buf, from);
            } catch (Throwable t) {
                protocolFailed("datagramReceived", t);
                return;
            }
        }
    }

    private void errorReceived(Exception e) {
        try {
            protocol.errorReceived(e);
        } catch (Throwable t) {
            protocolFailed("errorReceived", t);
        }
    }

    @Override
    public void sendTo(ByteBuffer data, SocketAddress target) {
        Objects.requireNonNull(data, "data");
        loop.checkThread("DatagramTransport.sendTo");
        if (peer != null && target != null && !target.equals(peer)) {
            throw new IllegalArgumentException("sendTo: this endpoint is connected to "
                    + Addresses.format(peer) + "; target must be null or that address, got "
                    + Addresses.format(target));
        }
        if (peer == null && target == null) {
            throw new IllegalArgumentException("sendTo: this endpoint is not connected, so target "
                    + "must be an address, got null");
        }
        if (target instanceof InetSocketAddress i && i.isUnresolved()) {
            throw new IllegalArgumentException("sendTo: target " + target + " is unresolved; "
                    + "resolve it first (the loop thread never does DNS look-ups)");
        }
        if (closing) {
            if (lost && !userClosed) {
                data.position(data.limit());
                return;
            }
            throw new IllegalStateException("DatagramTransport.sendTo: the endpoint is closed or "
                    + "closing; nothing can be sent after close() or abort()");
        }
        SocketAddress to = peer != null ? null : target;
        if (queue.isEmpty()) {
            try {
                if (socket.send(data, to) > 0) {
                    return;
                }
            } catch (IOException e) {
                data.position(data.limit());
                errorReceived(e);
                return;
            }
            registration.interest(readInterest() | Poller.WRITE);
        }
        ByteBuffer copy = ByteBuffer.allocateDirect(data.remaining());
        copy.put(data).flip();
        queue.add(new Pending(copy, to));
        queuedBytes += copy.remaining();
        maybePauseProtocol(queuedBytes);
    }

    @Override
    public void send(ByteBuffer data) {
        sendTo(data, null);
    }

    private void flush() {
        Pending p;
        while ((p = queue.peek()) != null) {
            int n;
            try {
                n = socket.send(p.data, p.target);
            } catch (IOException e) {
                queue.poll();
                queuedBytes -= p.data.remaining();
                errorReceived(e);
                if (lost) {
                    return;
                }
                continue;
            }
            if (n == 0) {
                break;
            }
            queue.poll();
            queuedBytes -= n;
        }
        maybeResumeProtocol(queuedBytes);
        if (lost) {
            return;
        }
        if (queue.isEmpty()) {
            if (closing) {
                closeNow(null);
                return;
            }
            registration.interest(readInterest());
        }
    }

    private int readInterest() {
        return readPaused || closing ? 0 : Poller.READ;
    }

    @Override
    public void close() {
        loop.checkThread("DatagramTransport.close");
        if (closing) {
            return;
        }
        closing = true;
        userClosed = true;
        if (queue.isEmpty()) {
            closeNow(null);
        } else {
            registration.interest(Poller.WRITE);
        }
    }

    @Override
    public void abort() {
        loop.checkThread("DatagramTransport.abort");
        userClosed = true;
        forceClose(null);
    }

    @Override
    void closeWithLoop() {
        userClosed = true;
        forceClose(null);
    }

    @Override
    void forceClose(Throwable cause) {
        if (lost) {
            return;
        }
        closing = true;
        queue.clear();
        queuedBytes = 0;
        closeNow(cause);
    }

    private void closeNow(Throwable cause) {
        lost = true;
        net.untrack(this);
        socket.close();
        scheduleLost(cause);
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
    void protocolConnectionLost(Throwable cause) {
        protocol.connectionLost(cause);
    }

    @Override
    void readingChanged() {
        // closing is false here: pause/resume return early once closing
        registration.interest(readInterest() | (queue.isEmpty() ? 0 : Poller.WRITE));
    }

    @Override
    public long writeBufferSize() {
        return queuedBytes;
    }

    @Override
    public DatagramProtocol getProtocol() {
        return protocol;
    }

    @Override
    public String toString() {
        return "DatagramTransport[" + Addresses.format(local)
                + (peer != null ? " -> " + Addresses.format(peer) : "")
                + (lost ? ", closed" : closing ? ", closing" : "") + "]";
    }
}
