package dev.pollen.nio;

import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A listening TCP or Unix domain socket on a {@link ServerSocketChannel}. READ interest is
 * {@code OP_ACCEPT}; WRITE interest means nothing for a listener and is never reported.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class NioListenSocket extends NioSource implements ListenSocket {

    // Run the accept error path once now: during EMFILE, loading a class may itself need a file
    // descriptor (a class file in a directory, a jar not opened yet), fail with
    // NoClassDefFoundError, and fail that way for good (the JVM caches a failed resolution), so
    // every later accept would fail too. The examples' EmfileIT runs the jar under a real limit.
    static {
        NioErrors.wrap("accept", null, new IOException("Too many open files"));
    }

    private final ServerSocketChannel ch;
    private final boolean unix;
    private final SocketAddress local;
    /** Connection options NIO cannot set on a listener; applied to each accepted socket. */
    private final NioOptions.Pending inherited;

    NioListenSocket(NioPoller poller, ServerSocketChannel ch, boolean unix, SocketAddress local,
            NioOptions.Pending inherited) {
        super(poller, ch);
        this.ch = ch;
        this.unix = unix;
        this.local = local;
        this.inherited = inherited;
    }

    @Override
    int nioOps(int ops) {
        return (ops & Poller.READ) != 0 ? SelectionKey.OP_ACCEPT : 0;
    }

    @Override
    String describe() {
        return (unix ? "unix listener on " : "tcp listener on ") + NioErrors.describe(local);
    }

    /**
     * {@inheritDoc}
     *
     * <p>EMFILE/ENFILE ("Too many open files") and ENOBUFS/ENOMEM become a
     * {@link dev.pollen.spi.ResourceExhaustedException}.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public StreamSocket accept() throws IOException {
        SocketChannel c;
        try {
            c = ch.accept();
        } catch (IOException e) {
            throw NioErrors.wrap("accept", local, e);
        }
        if (c == null) {
            return null;
        }
        try {
            c.configureBlocking(false);
            if (!inherited.isEmpty()) {
                inherited.applyTo(c, unix, local);
            }
        } catch (IOException | RuntimeException e) {
            try {
                c.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io) {
                throw NioErrors.wrap("accept", local, io);
            }
            throw e;
        }
        // The peer's address is looked up lazily (remoteAddress()), so accept allocates little.
        return new NioStreamSocket(poller, c, unix, false, null);
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
}
