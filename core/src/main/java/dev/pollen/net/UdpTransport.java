package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
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
final class UdpTransport extends LoopResource implements DatagramTransport, IoHandler {

    /** Datagrams received per readiness event at most. */
    private static final int MAX_RECEIVES_PER_EVENT = 16;

    private final EventLoop loop;
    private final NetLoopState net;
    private final DatagramSocket socket;
    private final ByteBuffer readBuffer;
    private final SocketAddress local;
    private final SocketAddress peer;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private DatagramProtocol protocol;
    private Registration registration;
    private long queuedBytes;
    private int high;
    private int low;
    private boolean readPaused;
    private boolean protocolPaused;
    private boolean closing;
    private boolean lost;
    /** close() or abort() was called (a later send throws instead of being dropped). */
    private boolean userClosed;

    private record Pending(ByteBuffer data, SocketAddress target) {
    }

    UdpTransport(EventLoop loop, DatagramSocket socket, NetOptions options) {
        this.loop = loop;
        this.socket = socket;
        this.net = NetLoopState.of(loop);
        this.readBuffer = net.readBuffer;
        this.local = socket.localAddress();
        this.peer = socket.remoteAddress();
        this.high = options.writeBufferHigh();
        this.low = options.writeBufferLow();
        net.track(this);
    }

    /** Registers the socket and calls {@code connectionMade}; returns what it threw, or null. */
    Throwable start(DatagramProtocol p) {
        protocol = p;
        registration = loop.poller().register(socket, Poller.READ, this);
        try {
            p.connectionMade(this);
            return null;
        } catch (Throwable t) {
            Callbacks.rethrowIfFatal(t);
            protocolFailed("connectionMade", t);
            return t;
        }
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
            Callbacks.rethrowIfFatal(t);
            loop.callExceptionHandler(new ExceptionContext("unexpected error in " + this, t, this));
            forceClose(t);
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
                Callbacks.rethrowIfFatal(t);
                protocolFailed("datagramReceived", t);
                return;
            }
        }
    }

    private void errorReceived(Exception e) {
        try {
            protocol.errorReceived(e);
        } catch (Throwable t) {
            Callbacks.rethrowIfFatal(t);
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
        if (!protocolPaused && queuedBytes > high) {
            protocolPaused = true;
            try {
                protocol.pauseWriting();
            } catch (Throwable t) {
                Callbacks.rethrowIfFatal(t);
                loop.callExceptionHandler(new ExceptionContext("protocol.pauseWriting() failed",
                        t, this));
            }
        }
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
        if (protocolPaused && queuedBytes <= low) {
            protocolPaused = false;
            try {
                protocol.resumeWriting();
            } catch (Throwable t) {
                Callbacks.rethrowIfFatal(t);
                loop.callExceptionHandler(new ExceptionContext("protocol.resumeWriting() failed",
                        t, this));
            }
        }
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

    private void protocolFailed(String callback, Throwable t) {
        loop.callExceptionHandler(new ExceptionContext("Fatal error: protocol." + callback
                + "() call failed; closing the endpoint", t, this));
        forceClose(t);
    }

    private void forceClose(Throwable cause) {
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
        try {
            loop.callSoon(() -> {
                try {
                    protocol.connectionLost(cause);
                } catch (Throwable t) {
                    Callbacks.rethrowIfFatal(t);
                    loop.callExceptionHandler(new ExceptionContext(
                            "protocol.connectionLost() failed", t, this));
                }
            });
        } catch (IllegalStateException loopClosed) {
            // nothing runs on a closed loop
        }
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public void pauseReading() {
        loop.checkThread("DatagramTransport.pauseReading");
        if (closing || readPaused) {
            return;
        }
        readPaused = true;
        registration.interest(queue.isEmpty() ? 0 : Poller.WRITE);
    }

    @Override
    public void resumeReading() {
        loop.checkThread("DatagramTransport.resumeReading");
        if (closing || !readPaused) {
            return;
        }
        readPaused = false;
        registration.interest(Poller.READ | (queue.isEmpty() ? 0 : Poller.WRITE));
    }

    @Override
    public void setWriteBufferLimits(int high, int low) {
        loop.checkThread("DatagramTransport.setWriteBufferLimits");
        WaterMarks.check(high, low);
        this.high = high;
        this.low = low;
    }

    @Override
    public long writeBufferSize() {
        return queuedBytes;
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public SocketAddress peerAddress() {
        return peer;
    }

    @Override
    public DatagramProtocol getProtocol() {
        return protocol;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public String toString() {
        return "DatagramTransport[" + Addresses.format(local)
                + (peer != null ? " -> " + Addresses.format(peer) : "")
                + (lost ? ", closed" : closing ? ", closing" : "") + "]";
    }
}
