package dev.pollen.nio;

import dev.pollen.spi.Poller;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * A non-blocking TCP or Unix domain stream socket on a {@link SocketChannel}.
 *
 * <p>Reads and writes go straight to the channel; the JDK copies heap buffers through a cached
 * direct buffer, so direct buffers are faster. Errors name the call and the peer, e.g.
 * {@code "read(127.0.0.1:8080): Connection reset"}.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class NioStreamSocket extends NioSource implements StreamSocket {

    private final SocketChannel ch;
    private final boolean unix;
    /** True from a connect that did not complete at once until finishConnect succeeds. */
    private boolean connecting;
    private SocketAddress local;
    private SocketAddress remote;

    NioStreamSocket(NioPoller poller, SocketChannel ch, boolean unix, boolean connecting,
            SocketAddress remote) {
        super(poller, ch);
        this.ch = ch;
        this.unix = unix;
        this.connecting = connecting;
        this.remote = remote;
    }

    /**
     * Moves {@code old}'s channel to a socket of {@code poller} (see {@link NioSocketLayer#adopt}):
     * a {@link SocketChannel} may be registered with any selector of its provider. The state
     * (connecting, addresses) carries over; {@code old} is detached.
     *
     * @param poller the adopting poller
     * @param old    an open, never-registered socket of another nio poller
     * @return the new owner of the channel
     */
    static NioStreamSocket adopt(NioPoller poller, NioStreamSocket old) {
        NioStreamSocket s = new NioStreamSocket(poller, old.ch, old.unix, old.connecting,
                old.remote);
        s.local = old.local;
        old.detach();
        return s;
    }

    @Override
    int nioOps(int ops) {
        int nio = (ops & Poller.READ) != 0 ? SelectionKey.OP_READ : 0;
        if ((ops & Poller.WRITE) != 0) {
            // While the connect is pending the JDK only reports OP_CONNECT for POLLOUT.
            nio |= connecting ? SelectionKey.OP_CONNECT : SelectionKey.OP_WRITE;
        }
        return nio;
    }

    @Override
    String describe() {
        return (unix ? "unix stream socket to " : "tcp socket to ") + NioErrors.describe(peer());
    }

    /**
     * {@inheritDoc}
     *
     * <p>On failure the JDK closes the channel; this socket is then closed too (its registration
     * cancelled).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public boolean finishConnect() throws IOException {
        ensureAttached();
        if (!connecting) {
            return true;
        }
        try {
            if (!ch.finishConnect()) {
                return false;
            }
        } catch (IOException e) {
            IOException w = NioErrors.wrap("connect", remote, e);
            close();
            throw w;
        }
        connecting = false;
        poller.connected(this); // OP_CONNECT -> OP_WRITE if WRITE is watched
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureAttached();
        try {
            return ch.read(dst);
        } catch (NotYetConnectedException e) {
            // Read while connecting (e.g. READ reported for a failed connect): behave like the
            // kernel, which returns the connect's error or EAGAIN.
            return finishConnect() ? ch.read(dst) : 0;
        } catch (IOException e) {
            throw NioErrors.wrap("read", peer(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureAttached();
        try {
            return ch.write(src);
        } catch (NotYetConnectedException e) {
            return finishConnect() ? ch.write(src) : 0;
        } catch (IOException e) {
            throw NioErrors.wrap("write", peer(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code writev} through the JDK's gathering write.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        ensureAttached();
        try {
            return ch.write(srcs, offset, length);
        } catch (NotYetConnectedException e) {
            return finishConnect() ? ch.write(srcs, offset, length) : 0;
        } catch (IOException e) {
            throw NioErrors.wrap("writev", peer(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@link FileChannel#transferTo} to this socket's channel: the JDK runs {@code sendfile(2)}
     * on Linux (and its own fallbacks elsewhere); on a non-blocking channel it sends what the send
     * buffer accepts and returns 0 when it is full. A 0 at or past the end of the file is the end.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public FileSender fileSender(FileChannel file) throws IOException {
        ensureAttached();
        return new FileSender() {
            @Override
            public long send(long position, long count) throws IOException {
                ensureAttached();
                long n;
                try {
                    n = file.transferTo(position, count, ch);
                } catch (IOException e) {
                    throw NioErrors.wrap("sendfile", peer(), e);
                }
                if (n > 0) {
                    return n;
                }
                return position >= file.size() ? -1 : 0;
            }

            @Override
            public void close() {
                // nothing held: the file and the channel belong to others
            }
        };
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public void shutdownOutput() throws IOException {
        ensureAttached();
        try {
            ch.shutdownOutput(); // the JDK returns normally on ENOTCONN (a peer that reset)
        } catch (NotYetConnectedException e) {
            // the JDK's unchecked "not connected" (e.g. a connect still in progress) is an I/O
            // error of this connection, never a programming error to throw at the caller
            throw NioErrors.wrap("shutdown", peer(), new java.net.SocketException(
                    "ENOTCONN (the socket is not connected)"));
        } catch (IOException e) {
            throw NioErrors.wrap("shutdown", peer(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public SocketAddress localAddress() {
        if (local == null) {
            try {
                local = ch.getLocalAddress();
            } catch (IOException e) {
                return null;
            }
        }
        return local;
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public SocketAddress remoteAddress() {
        if (remote == null) {
            try {
                remote = ch.getRemoteAddress();
            } catch (IOException e) {
                return null;
            }
        }
        return remote;
    }

    /**
     * {@inheritDoc}
     *
     * <p>On a Unix domain socket, {@code SO_REUSEADDR}, {@code SO_REUSEPORT} and
     * {@code SO_KEEPALIVE} are accepted and ignored, as Linux does.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option");
        NioOptions.set(ch, option, value, unix, kind(), peer());
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        if (!ch.supportedOptions().contains(option)) {
            throw NioOptions.unsupported(option, kind());
        }
        try {
            return ch.getOption(option);
        } catch (IOException e) {
            throw NioErrors.wrap("getOption " + option.name() + " on " + kind(), peer(), e);
        }
    }

    /**
     * The address to name in messages: the peer, or for an accepted Unix socket (whose peer is
     * usually unnamed) the listener's path.
     */
    private SocketAddress peer() {
        SocketAddress r = remoteAddress();
        if (unix && (r == null || r instanceof java.net.UnixDomainSocketAddress u
                && u.getPath().toString().isEmpty())) {
            SocketAddress l = localAddress();
            return l != null ? l : r;
        }
        return r;
    }

    private String kind() {
        return unix ? "Unix domain stream socket" : "TCP socket";
    }

    /**
     * Whether a connect is still pending, for tests.
     *
     * @return true until finishConnect succeeds
     */
    boolean isConnecting() {
        return connecting;
    }
}
