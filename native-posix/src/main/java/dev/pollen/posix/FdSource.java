package dev.pollen.posix;

import dev.pollen.spi.IoSource;
import java.nio.channels.ClosedChannelException;

/**
 * An {@link IoSource} backed by a file descriptor, made by a {@link PosixSocketLayer}. Any fd
 * poller (epoll, kqueue) can watch it: the poller keeps its registration in
 * {@link #pollerData()} (no map lookup), and {@link #close()} calls the layer's
 * {@link FdCloseHook} before closing the fd.
 *
 * <p><b>Threading:</b> loop thread only.
 */
public abstract class FdSource implements IoSource {

    /** The layer that made this source (its poller owns the layer). */
    protected final PosixSocketLayer layer;
    /** The file descriptor; stays set after close (check {@link #isOpen()}). */
    protected final int fd;
    private boolean open = true;
    private Object pollerData;

    /**
     * Wraps an open fd.
     *
     * @param layer the layer that made it
     * @param fd    the descriptor, owned by this source from now on
     */
    protected FdSource(PosixSocketLayer layer, int fd) {
        this.layer = layer;
        this.fd = fd;
    }

    /**
     * The file descriptor. After {@link #close()} it is a stale number that may belong to
     * another file: check {@link #isOpen()}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the fd
     */
    public final int fd() {
        return fd;
    }

    /**
     * The layer that made this source.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the layer
     */
    public final PosixSocketLayer layer() {
        return layer;
    }

    /**
     * The poller's slot: its registration object while registered, else null.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the object the poller stored
     */
    public final Object pollerData() {
        return pollerData;
    }

    /**
     * Sets the poller's slot. Only the owning poller calls it.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param data the registration, or null when deregistered
     */
    public final void pollerData(Object data) {
        this.pollerData = data;
    }

    @Override
    public final boolean isOpen() {
        return open;
    }

    /**
     * Deregisters (through the layer's {@link FdCloseHook}) and closes the descriptor.
     * Idempotent.
     */
    @Override
    public final void close() {
        if (!open) {
            return;
        }
        open = false;
        try {
            layer.closeHook().beforeClose(this);
        } finally {
            // Never retry close: on Linux the fd is released even when close reports EINTR, and
            // a retry could close a descriptor another thread just got with the same number.
            LibC.close(fd);
        }
    }

    /**
     * Gives the descriptor up to another layer ({@link PosixSocketLayer#adopt}): from now on this
     * source reads as closed and {@link #close()} does nothing, but the fd stays open for its new
     * owner. The caller has checked that the source is open and not registered.
     *
     * <p><b>Threading:</b> loop thread only (the adopting one).
     */
    final void detach() {
        open = false;
    }

    /**
     * Throws if closed.
     *
     * @throws ClosedChannelException if {@link #close()} was called
     */
    protected final void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }

    /**
     * A short description for messages: kind, fd, addresses.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "[fd " + fd + (open ? "" : ", closed") + "]";
    }
}
