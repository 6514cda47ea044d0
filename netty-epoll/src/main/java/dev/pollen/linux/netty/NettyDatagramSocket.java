package dev.pollen.linux.netty;

import dev.pollen.spi.ErrnoTable;
import dev.pollen.spi.DatagramSocket;
import io.netty.channel.unix.DatagramSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;

/**
 * A UDP socket on Netty's JNI calls ({@code recvfrom}, {@code send}, {@code sendto}).
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class NettyDatagramSocket extends NettySource implements DatagramSocket {


    private final SocketAddress local;
    private final InetSocketAddress remote;

    NettyDatagramSocket(NettyEpollPoller poller, Socket socket, SocketAddress local,
            InetSocketAddress remote) {
        super(poller, socket, false);
        this.local = local;
        this.remote = remote;
    }

    /**
     * Receives one datagram; the returned address is an {@link InetSocketAddress} (Netty's
     * subclass, equal to the plain one).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int pos = dst.position();
        int lim = dst.limit();
        DatagramSocketAddress from;
        try {
            if (dst.isDirect()) {
                from = socket.recvFrom(dst, pos, lim); // null for EAGAIN
                if (from != null) {
                    dst.position(pos + from.receivedAmount());
                }
            } else {
                ByteBuffer s = Scratch.get();
                from = socket.recvFrom(s, 0, Math.min(lim - pos, s.capacity()));
                if (from != null) {
                    int n = from.receivedAmount();
                    dst.put(pos, s, 0, n);
                    dst.position(pos + n);
                }
            }
        } catch (IOException e) {
            throw failure(e, "recvfrom", remote);
        }
        return from;
    }

    /**
     * Sends one datagram.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        ensureOpen();
        InetSocketAddress to = null;
        if (target != null) {
            if (!(Addresses.check(target, "target") instanceof InetSocketAddress inet)) {
                throw new IllegalArgumentException("target must be an InetSocketAddress for UDP, got "
                        + target.getClass().getName());
            }
            to = inet;
        } else if (remote == null) {
            throw new IllegalArgumentException("target must not be null: this datagram socket is "
                    + "not connected");
        }
        int pos = src.position();
        int lim = src.limit();
        ByteBuffer b = src;
        int p = pos;
        int l = lim;
        if (!src.isDirect()) {
            b = Scratch.get();
            int len = lim - pos;
            if (len > b.capacity()) {
                throw NativeErrors.forErrno(ErrnoTable.LINUX.number("EMSGSIZE"), "sendto", to != null ? to : remote, null);
            }
            b.put(0, src, pos, len);
            p = 0;
            l = len;
        }
        int n;
        try {
            n = to == null ? socket.send(b, p, l) : socket.sendTo(b, p, l, to.getAddress(), to.getPort());
        } catch (IOException e) {
            throw failure(e, to == null ? "send" : "sendto", to != null ? to : remote);
        }
        if (n > 0) {
            src.position(pos + n);
        }
        return n;
    }

    /** ECONNREFUSED on a datagram socket is an ICMP port-unreachable: say so, as the JDK does. */
    private static IOException failure(IOException e, String call, SocketAddress address) {
        IOException t = NativeErrors.translate(e, call, address);
        if (t instanceof ConnectException) {
            return (IOException) new PortUnreachableException(t.getMessage()).initCause(e);
        }
        return t;
    }

    /**
     * The bound address.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public SocketAddress localAddress() {
        return local;
    }

    /**
     * The connected peer, or null.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }
}
