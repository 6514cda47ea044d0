package dev.pollen.linux.netty;

import dev.pollen.spi.ErrnoTable;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.StreamSocket;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * A listening TCP or Unix domain socket on Netty's JNI calls. Netty's {@code accept} uses
 * {@code accept4(SOCK_NONBLOCK | SOCK_CLOEXEC)}, so accepted sockets are ready to use.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class NettyListenSocket extends NettySource implements ListenSocket {

    // Run the accept error path once now: during EMFILE, loading a class may itself need a file
    // descriptor (a class file in a directory, a jar not opened yet), fail with
    // NoClassDefFoundError, and fail that way for good (the JVM caches a failed resolution), so
    // every later accept would fail too. The examples' EmfileIT runs the jar under a real limit.
    static {
        NativeErrors.forErrno(ErrnoTable.LINUX.number("EMFILE"), "accept", null, null);
    }

    private final SocketAddress local;
    /** Netty's accept writes the peer here: [length][address bytes][scope id][port]. */
    private final byte[] acceptedAddress = new byte[26];

    NettyListenSocket(NettyEpollPoller poller, Socket socket, boolean unix, SocketAddress local) {
        super(poller, socket, unix);
        this.local = local;
    }

    /**
     * Accepts one pending connection.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public StreamSocket accept() throws IOException {
        ensureOpen();
        int fd;
        for (;;) {
            try {
                fd = socket.accept(acceptedAddress); // -1 for EAGAIN
                break;
            } catch (Errors.NativeIoException e) {
                if (-e.expectedErr() == ErrnoTable.LINUX.number("ECONNABORTED")) {
                    continue; // the peer gave up before we accepted it: take the next one
                }
                // EMFILE/ENFILE become ResourceExhaustedException, so servers can back off
                throw NativeErrors.translate(e, "accept", local);
            } catch (IOException e) {
                throw NativeErrors.translate(e, "accept", local);
            }
        }
        if (fd < 0) {
            return null;
        }
        Socket accepted;
        try {
            accepted = LinuxSocket.newSocket(fd);
        } catch (RuntimeException e) {
            new FileDescriptor(fd).close();
            throw e;
        }
        SocketAddress peer = unix ? null
                : NativeInetAddress.address(acceptedAddress, 1, acceptedAddress[0]);
        return new NettyStreamSocket(poller, accepted, unix, peer, true);
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
}
