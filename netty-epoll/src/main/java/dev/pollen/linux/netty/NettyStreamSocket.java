package dev.pollen.linux.netty;

import dev.pollen.spi.SplicePipe;
import dev.pollen.spi.StreamSocket;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.NotYetConnectedException;
import java.util.Objects;

/**
 * A TCP or Unix domain stream socket on Netty's JNI calls.
 *
 * <p>Direct buffers go straight to {@code recv(2)}/{@code send(2)}/{@code writev(2)} ({@code recv}
 * and {@code send} rather than {@code read} and {@code write}: the socket calls skip the VFS
 * layer, see docs/pollers-native.md); heap
 * buffers are copied through the thread's {@link Scratch} buffer, because Netty's JNI only takes
 * direct ones. Two such sockets splice into each other through a {@link NettySplicePipe}.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class NettyStreamSocket extends NettySource implements StreamSocket {

    private SocketAddress remote;
    private SocketAddress local;
    private boolean connected;
    private IOException connectFailure;

    /**
     * Wraps a connecting, connected or accepted socket.
     *
     * @param poller    the owning poller
     * @param socket    the socket
     * @param unix      whether it is AF_UNIX
     * @param remote    the peer if known (the connect target, or the accepted peer), else null
     * @param connected whether the connection is already established
     */
    NettyStreamSocket(NettyEpollPoller poller, Socket socket, boolean unix, SocketAddress remote,
            boolean connected) {
        super(poller, socket, unix);
        this.remote = remote;
        this.connected = connected;
    }

    /**
     * Moves {@code old}'s fd to a socket of {@code poller} (see {@link NettySocketLayer#adopt}):
     * the Netty {@link Socket} is only an fd with JNI calls, so the new wrapper shares it; the
     * addresses and connect state carry over and {@code old} is detached.
     *
     * @param poller the adopting poller
     * @param old    an open, unregistered socket of another netty-epoll poller
     * @return the new owner of the fd
     */
    static NettyStreamSocket adopt(NettyEpollPoller poller, NettyStreamSocket old) {
        NettyStreamSocket s = new NettyStreamSocket(poller, old.socket, old.unix, old.remote,
                old.connected);
        s.local = old.local;
        s.connectFailure = old.connectFailure;
        old.detach();
        return s;
    }

    /**
     * Completes a non-blocking connect: {@code SO_ERROR} says whether it failed, and
     * {@code getpeername} whether it is done ({@code SO_ERROR} is also 0 while in progress).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen();
        if (connected) {
            return true;
        }
        if (connectFailure != null) {
            // SO_ERROR is cleared by reading it: remember the failure for repeated calls
            throw connectFailure;
        }
        int err;
        try {
            err = socket.getSoError();
        } catch (IOException e) {
            throw NativeErrors.translate(e, "getsockopt SO_ERROR", remote);
        }
        if (err != 0) {
            connectFailure = NativeErrors.forErrno(err, "connect", remote, null);
            throw connectFailure;
        }
        if (peer() == null) {
            return false; // ENOTCONN from getpeername: still in progress
        }
        connected = true;
        return true;
    }

    private SocketAddress peer() {
        return unix ? Addresses.fromNetty(socket.remoteDomainSocketAddress()) : socket.remoteAddress();
    }

    /**
     * Reads what is available.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int pos = dst.position();
        int lim = dst.limit();
        if (pos >= lim) {
            return 0;
        }
        int n;
        try {
            if (dst.isDirect()) {
                n = socket.recv(dst, pos, lim); // -1 at EOF, 0 for EAGAIN
                if (n > 0) {
                    dst.position(pos + n);
                }
            } else {
                ByteBuffer s = Scratch.get();
                n = socket.recv(s, 0, Math.min(lim - pos, s.capacity()));
                if (n > 0) {
                    dst.put(pos, s, 0, n);
                    dst.position(pos + n);
                }
            }
        } catch (IOException | NotYetConnectedException e) {
            throw NativeErrors.translate(e, "read", remote);
        }
        return n;
    }

    /**
     * Writes what the kernel accepts.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        int pos = src.position();
        int lim = src.limit();
        if (pos >= lim) {
            return 0;
        }
        int n;
        try {
            if (src.isDirect()) {
                n = socket.send(src, pos, lim); // 0 for EAGAIN
            } else {
                ByteBuffer s = Scratch.get();
                int len = Math.min(lim - pos, s.capacity());
                s.put(0, src, pos, len);
                n = socket.send(s, 0, len);
            }
        } catch (IOException | NotYetConnectedException e) {
            throw NativeErrors.translate(e, "write", remote);
        }
        if (n > 0) {
            src.position(pos + n);
        }
        return n;
    }

    /**
     * Gathering write: one {@code writev(2)} when every buffer is direct, else one
     * {@code write(2)} of as much as fits in the scratch buffer.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        ensureOpen();
        boolean allDirect = true;
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = srcs[i]; // NPE here, never a null jobject in JNI
            allDirect &= b.isDirect();
            total += b.remaining();
        }
        if (total == 0) {
            return 0;
        }
        long n;
        try {
            if (allDirect) {
                // Netty caps the count at IOV_MAX; it does not move the positions
                n = socket.writev(srcs, offset, length, Long.MAX_VALUE);
            } else {
                n = gatherThroughScratch(srcs, offset, length);
            }
        } catch (IOException | NotYetConnectedException e) {
            throw NativeErrors.translate(e, "writev", remote);
        }
        long left = n;
        for (int i = offset; i < offset + length && left > 0; i++) {
            ByteBuffer b = srcs[i];
            int take = (int) Math.min(b.remaining(), left);
            b.position(b.position() + take);
            left -= take;
        }
        return n;
    }

    private long gatherThroughScratch(ByteBuffer[] srcs, int offset, int length) throws IOException {
        ByteBuffer s = Scratch.get();
        int cap = s.capacity();
        int filled = 0;
        for (int i = offset; i < offset + length && filled < cap; i++) {
            ByteBuffer b = srcs[i];
            int take = Math.min(b.remaining(), cap - filled);
            s.put(filled, b, b.position(), take);
            filled += take;
        }
        return socket.send(s, 0, filled);
    }

    /**
     * Sends FIN after what was written.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen();
        try {
            socket.shutdown(false, true);
        } catch (NotYetConnectedException peerGone) {
            // Netty's name for ENOTCONN: the peer reset the connection, there is nothing left to
            // half-close (StreamSocket's contract; the JDK's SocketChannel ignores it too)
        } catch (IOException e) {
            throw NativeErrors.translate(e, "shutdown", remote);
        }
    }

    /**
     * The local address ({@code getsockname}), cached once connected.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public SocketAddress localAddress() {
        SocketAddress a = local;
        if (a == null && socket.isOpen()) {
            a = unix ? Addresses.fromNetty(socket.localDomainSocketAddress()) : socket.localAddress();
            if (connected) {
                local = a;
            }
        }
        return a;
    }

    /**
     * The peer: the connect target, or {@code getpeername} for an accepted Unix socket.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public SocketAddress remoteAddress() {
        SocketAddress a = remote;
        if (a == null && socket.isOpen()) {
            a = peer();
            remote = a;
        }
        return a;
    }

    /**
     * Sets a socket option (see {@link SocketOptionSupport} for the list).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option");
        ensureOpen();
        SocketOptionSupport.set(socket, option, value);
    }

    /**
     * Reads a socket option.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        ensureOpen();
        return SocketOptionSupport.get(socket, option);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: a {@link NettySplicePipe}, holding no kernel pipe until reserved, when {@code to}
     * is another open {@code NettyStreamSocket}; null when the cap
     * {@code pollen.splice.maxPipes} is 0.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public SplicePipe openSplice(StreamSocket to) {
        if (!(to instanceof NettyStreamSocket dst) || dst == this || !isOpen() || !dst.isOpen()) {
            return null;
        }
        return NettySplicePipe.open((NettySocketLayer) poller.sockets(), this, dst);
    }

    /**
     * The exception for a failed call on this socket, naming the call and the peer.
     *
     * @param e  what Netty threw
     * @param op the system call
     * @return the exception to throw
     */
    IOException failure(Throwable e, String op) {
        return NativeErrors.translate(e, op, remote);
    }
}
