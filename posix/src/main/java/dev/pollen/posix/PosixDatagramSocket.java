package dev.pollen.posix;

import dev.pollen.spi.DatagramSocket;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A non-blocking UDP socket on a file descriptor: {@code recvfrom}/{@code sendto}, one datagram
 * per call. Heap buffers go through the layer's 64 KiB copy buffer (so a heap datagram is at most
 * 64 KiB, which is UDP's limit anyway); direct buffers are used in place.
 *
 * <p><b>Threading:</b> loop thread only.
 */
public final class PosixDatagramSocket extends FdSource implements DatagramSocket {

    private final OsConstants os;
    private final int family;
    private final SocketAddress remote;
    private SocketAddress local;

    PosixDatagramSocket(PosixSocketLayer layer, int fd, int family, SocketAddress remote) {
        super(layer, fd);
        this.os = layer.os();
        this.family = family;
        this.remote = remote;
    }

    @Override
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is a read-only buffer");
        }
        int pos = dst.position();
        int rem = dst.limit() - pos;
        boolean direct = dst.isDirect();
        long address;
        if (direct) {
            address = layer.addressOf(dst);
        } else {
            rem = Math.min(rem, layer.copyBuffer().capacity());
            address = layer.copyAddress();
        }
        while (true) {
            layer.resetSockaddrLen();
            long n = LibC.recvfrom(fd, address, rem, 0, layer.sockaddrAddress(),
                    layer.sockaddrLenAddress());
            if (n >= 0) {
                // n is what was copied: a longer datagram was truncated to rem bytes.
                if (!direct && n > 0) {
                    dst.put(pos, layer.copyBuffer(), 0, (int) n);
                }
                dst.position(pos + (int) n);
                return layer.decodeSockaddr();
            }
            int e = LibC.errno();
            if (e == os.EAGAIN) {
                // Nothing queued: now a pending error (e.g. an ICMP port unreachable) that the
                // poller consumed and handed back is reported, as recvfrom would have.
                int restored = takeRestoredError();
                if (restored != 0) {
                    throw PosixErrors.socketError(os, "recvfrom", remote, restored);
                }
                return null;
            }
            if (e != os.EINTR) {
                throw PosixErrors.socketError(os, "recvfrom", remote, e);
            }
        }
    }

    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        java.util.Objects.requireNonNull(src, "src");
        ensureOpen();
        if (target == null && remote == null) {
            throw new IllegalArgumentException("target must not be null on an unconnected "
                    + "datagram socket");
        }
        int pos = src.position();
        int rem = src.limit() - pos;
        long address;
        if (src.isDirect()) {
            address = layer.addressOf(src);
        } else {
            ByteBuffer copy = layer.copyBuffer();
            if (rem > copy.capacity()) {
                throw new IllegalArgumentException("datagram of " + rem + " bytes from a heap "
                        + "buffer is larger than " + copy.capacity() + " bytes");
            }
            copy.put(0, src, pos, rem);
            address = layer.copyAddress();
        }
        int restored = takeRestoredError();
        if (restored != 0) {
            // A pending error is reported by the next send, as sendto would have.
            throw PosixErrors.socketError(os, "sendto", target != null ? target : remote, restored);
        }
        long sa = 0;
        int saLen = 0;
        if (target != null) {
            saLen = layer.encodeSockaddr(target, family);
            sa = layer.sockaddrAddress();
        }
        while (true) {
            long n = LibC.sendto(fd, address, rem, layer.plan().sendFlags(), sa, saLen);
            if (n >= 0) {
                src.position(pos + (int) n);
                return (int) n;
            }
            int e = LibC.errno();
            if (e == os.EAGAIN) {
                return 0;
            }
            if (e != os.EINTR) {
                throw PosixErrors.socketError(os, "sendto", target != null ? target : remote, e);
            }
        }
    }

    @Override
    public SocketAddress localAddress() {
        if (local == null && isOpen()) {
            local = layer.localAddress(fd); // fixed after bind
        }
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String toString() {
        return "PosixDatagramSocket[fd " + fd + ", local " + SockAddr.format(localAddress())
                + (remote != null ? ", connected to " + SockAddr.format(remote) : "")
                + (isOpen() ? "" : ", closed") + "]";
    }
}
