package dev.pollen.linux.netty;

import dev.pollen.spi.AbstractSplicePipe;
import dev.pollen.spi.ErrnoTable;
import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.SocketLayer;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * The netty-epoll poller's sockets: Netty's public {@link LinuxSocket}/{@link Socket} JNI calls
 * (every socket is made with {@code SOCK_NONBLOCK | SOCK_CLOEXEC}), wrapped as Pollen sources.
 * Internet sockets get the family of their address (AF_INET for IPv4, AF_INET6 for IPv6).
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class NettySocketLayer implements SocketLayer {

    private static final InetAddress ANY_V4 = literal(new byte[4]);
    private static final InetAddress ANY_V6 = literal(new byte[16]);

    private final NettyEpollPoller poller;
    /** Kernel pipes the splice pipes of this loop hold now ({@link NettySplicePipe} counts them). */
    final AbstractSplicePipe.LoopCount splicePipes = new AbstractSplicePipe.LoopCount();

    NettySocketLayer(NettyEpollPoller poller) {
        this.poller = poller;
    }

    private static InetAddress literal(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Creates, configures, binds and listens a stream socket.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public ListenSocket listen(SocketAddress local, int backlog, SocketOptions options) throws IOException {
        Addresses.check(local, "local");
        Objects.requireNonNull(options, "options");
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
        }
        poller.checkOpen("listen");
        boolean unix = local instanceof UnixDomainSocketAddress;
        Socket s = newStream(local);
        boolean ok = false;
        try {
            SocketOptionSupport.applyAll(s, options, local);
            SocketAddress bound;
            if (unix) {
                UnixDomainSocketAddress path = (UnixDomainSocketAddress) local;
                if (Addresses.pathExists(path)) {
                    // Netty's bind would unlink it; refuse like the kernel and the JDK do
                    throw new BindException("bind(" + Addresses.format(local) + "): "
                            + ErrnoTable.LINUX.describe(ErrnoTable.LINUX.number("EADDRINUSE")) + "; the path exists");
                }
                try {
                    s.bind(Addresses.toNetty(path));
                } catch (IOException e) {
                    throw NativeErrors.translate(e, "bind", local);
                }
                bound = local;
            } else {
                try {
                    s.bind(local);
                } catch (IOException e) {
                    throw NativeErrors.translate(e, "bind", local);
                }
                bound = s.localAddress();
            }
            try {
                s.listen(backlog);
            } catch (IOException e) {
                throw NativeErrors.translate(e, "listen", local);
            }
            ok = true;
            return new NettyListenSocket(poller, s, unix, bound);
        } finally {
            if (!ok) {
                closeQuietly(s);
            }
        }
    }

    /**
     * Creates a stream socket and starts a non-blocking connect.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public StreamSocket connect(SocketAddress remote, SocketOptions options) throws IOException {
        Addresses.check(remote, "remote");
        Objects.requireNonNull(options, "options");
        poller.checkOpen("connect");
        boolean unix = remote instanceof UnixDomainSocketAddress;
        Socket s = newStream(remote);
        boolean ok = false;
        try {
            SocketOptionSupport.applyAll(s, options, remote);
            boolean done;
            try {
                done = s.connect(unix ? Addresses.toNetty((UnixDomainSocketAddress) remote) : remote);
            } catch (IOException e) {
                throw NativeErrors.translate(e, "connect", remote);
            }
            ok = true;
            return new NettyStreamSocket(poller, s, unix, remote, done);
        } finally {
            if (!ok) {
                closeQuietly(s);
            }
        }
    }

    /**
     * Creates, binds and optionally connects a UDP socket.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public DatagramSocket openDatagram(SocketAddress local, SocketAddress remote, SocketOptions options)
            throws IOException {
        InetSocketAddress l = local == null ? null : inet(local, "local");
        InetSocketAddress r = remote == null ? null : inet(remote, "remote");
        Objects.requireNonNull(options, "options");
        poller.checkOpen("openDatagram");
        boolean ipv6 = l != null ? Addresses.isIpv6(l) : r != null && Addresses.isIpv6(r);
        if (l == null) {
            l = new InetSocketAddress(ipv6 ? ANY_V6 : ANY_V4, 0);
        }
        Socket s;
        try {
            s = LinuxSocket.newSocketDgram(ipv6);
        } catch (RuntimeException e) {
            throw NativeErrors.translate(e, "socket", l);
        }
        boolean ok = false;
        try {
            SocketOptionSupport.applyAll(s, options, l);
            try {
                s.bind(l);
            } catch (IOException e) {
                throw NativeErrors.translate(e, "bind", l);
            }
            if (r != null) {
                try {
                    s.connect(r);
                } catch (IOException e) {
                    throw NativeErrors.translate(e, "connect", r);
                }
            }
            ok = true;
            return new NettyDatagramSocket(poller, s, s.localAddress(), r);
        } finally {
            if (!ok) {
                closeQuietly(s);
            }
        }
    }

    /**
     * Takes over a stream socket of another netty-epoll poller (see {@link SocketLayer#adopt}).
     *
     * <p><b>Threading:</b> the adopting poller's loop thread.
     */
    @Override
    public StreamSocket adopt(StreamSocket socket) {
        Objects.requireNonNull(socket, "socket");
        poller.checkOpen("adopt");
        if (!(socket instanceof NettyStreamSocket s)) {
            throw new IllegalArgumentException("adopt: " + socket + " (a "
                    + socket.getClass().getName() + ") was not made by a netty-epoll poller;"
                    + " this layer belongs to the netty-epoll poller and can only adopt sockets"
                    + " of other netty-epoll pollers");
        }
        if (s.poller == poller) {
            return s;
        }
        if (!s.isOpen()) {
            throw new IllegalArgumentException("adopt: socket is closed: " + s);
        }
        if (s.registration() != null) {
            throw new IllegalArgumentException("adopt: " + s + " is registered with its poller;"
                    + " hand a socket over before registering it (or after cancelling)");
        }
        return NettyStreamSocket.adopt(poller, s);
    }

    /**
     * Yes: AF_UNIX stream sockets.
     *
     * <p><b>Threading:</b> any thread.
     */
    @Override
    public boolean supportsUnixDomain() {
        return true;
    }

    /**
     * Yes: Linux balances connections between {@code SO_REUSEPORT} listeners.
     *
     * <p><b>Threading:</b> any thread.
     */
    @Override
    public boolean supportsReusePortBalancing() {
        return true;
    }

    private static InetSocketAddress inet(SocketAddress a, String name) {
        if (!(Addresses.check(a, name) instanceof InetSocketAddress inet)) {
            throw new IllegalArgumentException(name + " must be an InetSocketAddress: datagram "
                    + "sockets are UDP only, got " + a.getClass().getName());
        }
        return inet;
    }

    private static Socket newStream(SocketAddress address) throws IOException {
        try {
            return address instanceof InetSocketAddress inet
                    ? LinuxSocket.newSocketStream(Addresses.isIpv6(inet))
                    : LinuxSocket.newSocketDomain();
        } catch (RuntimeException e) {
            // EMFILE/ENFILE arrive as ChannelException(NativeIoException)
            throw NativeErrors.translate(e, "socket", address);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing useful to report on top of the original failure
        }
    }
}
