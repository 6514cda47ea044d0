package dev.pollen.nio;

import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.Poller;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/**
 * A non-blocking UDP socket on a {@link DatagramChannel}.
 *
 * <p>On a connected socket, an ICMP port-unreachable from the peer surfaces as a
 * {@link java.net.PortUnreachableException} from {@link #receive(ByteBuffer)}.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class NioDatagramSocket extends NioSource implements DatagramSocket {

    private final DatagramChannel ch;
    private final SocketAddress local;
    private final SocketAddress remote;

    NioDatagramSocket(NioPoller poller, DatagramChannel ch, SocketAddress local,
            SocketAddress remote) {
        super(poller, ch);
        this.ch = ch;
        this.local = local;
        this.remote = remote;
    }

    @Override
    int nioOps(int ops) {
        return ((ops & Poller.READ) != 0 ? SelectionKey.OP_READ : 0)
                | ((ops & Poller.WRITE) != 0 ? SelectionKey.OP_WRITE : 0);
    }

    @Override
    String describe() {
        return "udp socket on " + NioErrors.describe(local)
                + (remote != null ? " connected to " + NioErrors.describe(remote) : "");
    }

    /**
     * {@inheritDoc}
     *
     * <p>The JDK reuses the sender's address object while datagrams keep coming from the same
     * peer, so a steady stream of receives allocates nothing.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        try {
            return ch.receive(dst);
        } catch (IOException e) {
            throw NioErrors.wrap("receive", remote != null ? remote : local, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @throws SocketException if {@code target} is null and the socket is not connected (the
     *                         kernel's EDESTADDRREQ)
     */
    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        if (target == null && remote == null) {
            throw new SocketException("send(" + NioErrors.describe(local)
                    + "): no target given and the socket is not connected (EDESTADDRREQ)");
        }
        try {
            return target == null ? ch.write(src) : ch.send(src, target);
        } catch (IOException e) {
            throw NioErrors.wrap("send", target != null ? target : remote, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public SocketAddress localAddress() {
        return local;
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }
}
