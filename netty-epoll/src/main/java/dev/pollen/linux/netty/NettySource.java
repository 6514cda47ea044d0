package dev.pollen.linux.netty;

import dev.pollen.spi.AbstractSource;
import dev.pollen.spi.Registration;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/**
 * The base of every socket the netty-epoll poller makes: a Netty {@link Socket} (an fd and its
 * JNI system calls), the poller that owns it, and its current registration.
 *
 * <p><b>Threading:</b> loop thread only.
 */
abstract class NettySource extends AbstractSource {

    final NettyEpollPoller poller;
    final Socket socket;
    /** True for AF_UNIX, whose addresses Netty returns through separate methods. */
    final boolean unix;
    /** Set once another poller adopted the socket: this wrapper no longer owns the fd. */
    private boolean detached;

    NettySource(NettyEpollPoller poller, Socket socket, boolean unix) {
        super(poller.sockets());
        this.poller = poller;
        this.socket = socket;
        this.unix = unix;
    }

    /**
     * Whether the source is still open.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return false once closed
     */
    @Override
    public boolean isOpen() {
        return !detached && socket.isOpen();
    }

    /**
     * Cancels the registration (so epoll forgets the fd while it is still open), then closes the
     * fd. Idempotent.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public void close() {
        if (detached || !socket.isOpen()) {
            return;
        }
        Registration r = registration();
        if (r != null) {
            r.cancel();
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // close(2) only fails for EBADF (impossible: we own the fd) or EIO on files; the
            // descriptor is released either way, and Netty already ignores EINTR.
        }
    }

    /**
     * Throws if the source was closed.
     *
     * @throws ClosedChannelException if closed
     */
    final void ensureOpen() throws ClosedChannelException {
        if (detached || !socket.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /**
     * Gives the fd up to another poller's wrapper ({@link NettySocketLayer#adopt}): this one then
     * reads as closed and its {@link #close()} does nothing, while the shared Netty
     * {@link Socket} stays open for its new owner.
     *
     * <p><b>Threading:</b> loop thread only (the adopting one).
     */
    final void detach() {
        detached = true;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[fd=" + socket.intValue()
                + (isOpen() ? "" : ", closed") + "]";
    }
}
