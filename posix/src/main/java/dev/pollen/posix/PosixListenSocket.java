package dev.pollen.posix;

import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * A listening TCP or Unix domain socket on a file descriptor. {@link #accept()} uses
 * {@code accept4(SOCK_NONBLOCK | SOCK_CLOEXEC)} where the OS has it and {@code accept} then
 * {@code fcntl} on macOS (see {@link SocketPlan}).
 *
 * <p><b>Threading:</b> loop thread only.
 */
public final class PosixListenSocket extends FdSource implements ListenSocket {

    // Run the accept error path once now: during EMFILE, loading a class may itself need a file
    // descriptor (a class file in a directory, a jar not opened yet), fail with
    // NoClassDefFoundError, and fail that way for good (the JVM caches a failed resolution), so
    // every later accept would fail too. The examples' EmfileIT runs the jar under a real limit.
    static {
        try {
            OsConstants os = OsConstants.current();
            PosixErrors.socketError(os, "accept", null, os.EMFILE);
        } catch (RuntimeException | LinkageError unsupportedHere) {
            // no POSIX layer on this OS: this class is never used
        }
    }

    private final SocketKind kind;
    private final SocketAddress local;

    PosixListenSocket(PosixSocketLayer layer, int fd, SocketKind kind, SocketAddress local) {
        super(layer, fd);
        this.kind = kind;
        this.local = local;
    }

    @Override
    public StreamSocket accept() throws IOException {
        ensureOpen();
        int child = layer.accept(fd, local);
        if (child < 0) {
            return null;
        }
        return new PosixStreamSocket(layer, child, kind, layer.decodePeer(), true);
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public String toString() {
        return "PosixListenSocket[fd " + fd + ", " + kind + ", " + SockAddr.format(local)
                + (isOpen() ? "" : ", closed") + "]";
    }
}
