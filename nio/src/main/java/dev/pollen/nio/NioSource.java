package dev.pollen.nio;

import dev.pollen.spi.AbstractSource;
import dev.pollen.spi.Registration;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

/**
 * The common part of every socket the nio poller's {@link NioSocketLayer} makes: the channel, the
 * poller it belongs to, its {@link SelectionKey} and its live registration.
 *
 * <p>The key is created the first time the interest becomes non-zero (lazy registration) and then
 * kept for the life of the source: a zero mask, and even {@link NioRegistration#cancel()}, only
 * set its interest set to 0, which the JDK turns into {@code EPOLL_CTL_DEL} / {@code EV_DELETE}.
 * Keeping the key avoids NIO's cancelled-key trap: {@code register} on a channel whose cancelled
 * key has not been flushed by a select yet throws
 * {@link java.nio.channels.CancelledKeyException}. Only closing the source cancels the key.
 *
 * <p><b>Threading:</b> loop thread only.
 */
abstract sealed class NioSource extends AbstractSource
        permits NioStreamSocket, NioListenSocket, NioDatagramSocket {

    /** The poller whose socket layer made this source; the only one it may be registered with. */
    final NioPoller poller;
    /** The channel, non-blocking. */
    final SelectableChannel channel;
    /** The key in the poller's selector, or null until the interest is first non-zero. */
    SelectionKey key;
    private boolean closed;

    NioSource(NioPoller poller, SelectableChannel channel) {
        super(poller.sockets());
        this.poller = poller;
        this.channel = channel;
    }

    /**
     * Translates Pollen interest into this channel's NIO interest.
     *
     * @param ops a subset of READ | WRITE
     * @return the {@link SelectionKey} ops
     */
    abstract int nioOps(int ops);

    /**
     * What this source is, for messages: kind and address.
     *
     * @return a short description
     */
    abstract String describe();

    /**
     * Whether this source is still open.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return false once closed (by {@link #close()}, or by the JDK after a failed connect)
     */
    @Override
    public final boolean isOpen() {
        return !closed && channel.isOpen();
    }

    /**
     * Cancels the registration, if any, then closes the channel. When this returns, no readiness is
     * reported for the source; a listener's descriptor is really closed (its port is free), a
     * socket's once the poller's next select ran (the next poll, before it waits; the peer reads
     * end-of-stream at once, as the JDK shuts the output down), see
     * {@link NioPoller#afterRegisteredClose(boolean)}. Idempotent.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        Registration r = registration();
        if (r != null) {
            r.cancel();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // close(2) errors (EINTR, EIO on some file systems) leave nothing for us to undo
        }
        if (key != null) {
            poller.afterRegisteredClose(this instanceof NioListenSocket);
        }
    }

    /**
     * Gives the channel up to another poller's layer ({@link NioSocketLayer#adopt}): from now on
     * this source reads as closed and its {@link #close()} does nothing, but the channel stays
     * open for its new owner.
     *
     * <p><b>Threading:</b> loop thread only (the adopting one).
     */
    final void detach() {
        closed = true;
    }

    /**
     * Throws once the source is {@linkplain #detach() detached}: its channel is still open
     * (another poller owns it), so the JDK would not refuse. (A closed source's channel is closed,
     * and the JDK reports that itself.)
     *
     * @throws java.nio.channels.ClosedChannelException if detached
     */
    final void ensureAttached() throws java.nio.channels.ClosedChannelException {
        if (closed && channel.isOpen()) {
            throw new java.nio.channels.ClosedChannelException();
        }
    }

    @Override
    public String toString() {
        return describe() + (isOpen() ? "" : " (closed)");
    }
}
