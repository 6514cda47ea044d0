package dev.pollen.nio;

import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.SocketLayer;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Locale;
import java.util.Objects;

/**
 * The socket primitives of the {@link NioPoller}: NIO channels, made by the poller's own
 * {@link SelectorProvider} so that they can be registered with its selector.
 *
 * <p>Addresses are resolved {@link InetSocketAddress}es (the channel's protocol family follows
 * the address: IPv4 or IPv6) or {@link UnixDomainSocketAddress}es for stream sockets. UDP over
 * Unix domain sockets is not available ({@link DatagramChannel} has no {@code AF_UNIX}).
 *
 * <p>Socket options are applied before bind/connect; see {@link NioOptions} for how connection
 * options given to a listener reach accepted sockets, and for the options ignored on Unix domain
 * sockets.
 *
 * <p><b>Threading:</b> loop thread only.
 */
public final class NioSocketLayer implements SocketLayer {

    private static volatile Boolean reusePortBalancing;

    private final NioPoller poller;
    private final SelectorProvider provider;

    NioSocketLayer(NioPoller poller, SelectorProvider provider) {
        this.poller = poller;
        this.provider = provider;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The JDK turns {@code SO_REUSEADDR} on for TCP listeners by default (on POSIX systems).
     * A Unix domain listener does not remove its socket file when closed.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public ListenSocket listen(SocketAddress local, int backlog, SocketOptions options)
            throws IOException {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(options, "options");
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
        }
        ProtocolFamily family = family(local, "local");
        boolean unix = family == StandardProtocolFamily.UNIX;
        poller.checkOpen("listen");
        ServerSocketChannel ch = open(() -> provider.openServerSocketChannel(family), "listen",
                local);
        try {
            ch.configureBlocking(false);
            NioOptions.Pending inherited = NioOptions.applyToListener(ch, options, unix, local);
            try {
                ch.bind(local, backlog);
            } catch (IOException e) {
                throw NioErrors.wrap("bind", local, e);
            }
            SocketAddress bound = ch.getLocalAddress();
            return new NioListenSocket(poller, ch, unix, bound, inherited);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch, e);
            throw e;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A Unix domain connect completes (or fails) at once; a TCP connect usually completes
     * later.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public StreamSocket connect(SocketAddress remote, SocketOptions options) throws IOException {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(options, "options");
        ProtocolFamily family = family(remote, "remote");
        boolean unix = family == StandardProtocolFamily.UNIX;
        poller.checkOpen("connect");
        SocketChannel ch = open(() -> provider.openSocketChannel(family), "connect", remote);
        try {
            ch.configureBlocking(false);
            NioOptions.apply(ch, options, unix, unix ? "Unix domain stream socket" : "TCP socket",
                    remote);
            boolean connected;
            try {
                connected = ch.connect(remote);
            } catch (IOException e) {
                throw NioErrors.wrap("connect", remote, e);
            }
            return new NioStreamSocket(poller, ch, unix, !connected, remote);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch, e);
            throw e;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>With both addresses null the socket is an IPv6 dual-stack one where the OS has IPv6.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @throws UnsupportedOperationException for a Unix domain address
     */
    @Override
    public DatagramSocket openDatagram(SocketAddress local, SocketAddress remote,
            SocketOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        ProtocolFamily family = null;
        if (local != null) {
            family = family(local, "local");
        }
        if (remote != null) {
            ProtocolFamily rf = family(remote, "remote");
            if (family != null && family != rf) {
                throw new IllegalArgumentException("local " + NioErrors.describe(local)
                        + " and remote " + NioErrors.describe(remote)
                        + " are of different address families");
            }
            family = rf;
        }
        if (family == StandardProtocolFamily.UNIX) {
            throw new UnsupportedOperationException("Unix domain datagram sockets are not"
                    + " supported by the nio poller (java.nio.channels.DatagramChannel has no"
                    + " AF_UNIX)");
        }
        poller.checkOpen("openDatagram");
        ProtocolFamily f = family;
        DatagramChannel ch = open(() -> f == null ? provider.openDatagramChannel()
                : provider.openDatagramChannel(f), "openDatagram", local);
        try {
            ch.configureBlocking(false);
            NioOptions.apply(ch, options, false, "UDP socket", local);
            try {
                ch.bind(local);
            } catch (IOException e) {
                throw NioErrors.wrap("bind", local, e);
            }
            if (remote != null) {
                try {
                    ch.connect(remote);
                } catch (IOException e) {
                    throw NioErrors.wrap("connect", remote, e);
                }
            }
            return new NioDatagramSocket(poller, ch, ch.getLocalAddress(), remote);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch, e);
            throw e;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The channel itself moves: a {@link SocketChannel} can be registered with any selector of
     * its {@link SelectorProvider}. A socket that was ever registered is refused, because its old
     * selector keeps a key for the channel until the channel is closed.
     *
     * <p><b>Threading:</b> the adopting poller's loop thread.
     */
    @Override
    public StreamSocket adopt(StreamSocket socket) {
        Objects.requireNonNull(socket, "socket");
        poller.checkOpen("adopt");
        if (!(socket instanceof NioStreamSocket s)) {
            throw new IllegalArgumentException("adopt: " + socket + " (a "
                    + socket.getClass().getName() + ") was not made by a nio poller; this layer"
                    + " belongs to the nio poller and can only adopt sockets of other nio pollers");
        }
        if (s.poller == poller) {
            return s;
        }
        if (s.channel.provider() != provider) {
            throw new IllegalArgumentException("adopt: " + s + " was made by a nio poller on"
                    + " selector provider " + s.channel.provider().getClass().getName()
                    + ", this one uses " + provider.getClass().getName());
        }
        if (!s.isOpen()) {
            throw new IllegalArgumentException("adopt: socket is closed: " + s);
        }
        if (s.registration() != null || s.key != null) {
            throw new IllegalArgumentException("adopt: " + s + " is (or was) registered with its"
                    + " poller; hand a socket over before registering it");
        }
        return NioStreamSocket.adopt(poller, s);
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true: {@link ServerSocketChannel} and {@link SocketChannel} support
     *         {@link StandardProtocolFamily#UNIX} since JDK 16
     */
    @Override
    public boolean supportsUnixDomain() {
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>True on Linux when the JDK supports {@code SO_REUSEPORT} on listeners (probed once with
     * a throw-away channel). macOS and the BSDs have the option but do not balance connections.
     *
     * <p><b>Threading:</b> any thread.
     */
    @Override
    public boolean supportsReusePortBalancing() {
        Boolean b = reusePortBalancing;
        if (b == null) {
            b = probeReusePort();
            reusePortBalancing = b;
        }
        return b;
    }

    private boolean probeReusePort() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return false;
        }
        try (ServerSocketChannel ch = provider.openServerSocketChannel()) {
            return ch.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * The protocol family of an address, checking that it is one this layer takes.
     *
     * @param address the address
     * @param what    the argument's name, for the message
     * @return INET, INET6 or UNIX
     */
    static ProtocolFamily family(SocketAddress address, String what) {
        if (address instanceof InetSocketAddress isa) {
            if (isa.isUnresolved()) {
                throw new IllegalArgumentException(what + " must be a resolved address, got"
                        + " unresolved " + isa.getHostString() + ":" + isa.getPort());
            }
            return isa.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET
                    : StandardProtocolFamily.INET6;
        }
        if (address instanceof UnixDomainSocketAddress) {
            return StandardProtocolFamily.UNIX;
        }
        throw new IllegalArgumentException(what + " must be an InetSocketAddress or a"
                + " UnixDomainSocketAddress, got " + (address == null ? "null"
                : address.getClass().getName()));
    }

    @FunctionalInterface
    private interface Opener<C> {
        C open() throws IOException;
    }

    /** Opens a channel; "Too many open files" here is a ResourceExhaustedException too. */
    private static <C> C open(Opener<C> opener, String call, SocketAddress address)
            throws IOException {
        try {
            return opener.open();
        } catch (IOException e) {
            throw NioErrors.wrap("socket for " + call, address, e);
        }
    }

    private static void closeQuietly(NetworkChannel ch, Throwable failure) {
        try {
            ch.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public String toString() {
        return "NioSocketLayer[" + provider.getClass().getName() + "]";
    }
}
