package dev.pollen.posix;

import dev.pollen.spi.AbstractSource;
import dev.pollen.spi.IoSource;
import java.nio.channels.ClosedChannelException;

/**
 * An {@link IoSource} backed by a file descriptor, made by a {@link PosixSocketLayer}. Any fd
 * poller (epoll, kqueue) can watch it: the poller keeps its registration in
 * {@link #registration()} (no map lookup), and {@link #close()} calls the layer's
 * {@link FdCloseHook} before closing the fd.
 *
 * <p>A source that watches something other than a descriptor (kqueue's watch of a child process,
 * {@code EVFILT_PROC}, which names the process by its pid) has fd -1: its poller knows it by its
 * class, and {@link #close()} ends its registration and closes nothing.
 *
 * <p><b>Threading:</b> loop thread only.
 */
public abstract class FdSource extends AbstractSource {

    /** The layer that made this source (its poller owns the layer). */
    protected final PosixSocketLayer layer;
    /** The file descriptor; stays set after close (check {@link #isOpen()}). */
    protected final int fd;
    private boolean open = true;
    /** A socket error the poller consumed and handed back (0 = none); see {@link #restoreSocketError}. */
    private int restoredError;

    /**
     * Wraps an open fd.
     *
     * @param layer the layer that made it
     * @param fd    the descriptor, owned by this source from now on; -1 for a source that is
     *              no descriptor
     */
    protected FdSource(PosixSocketLayer layer, int fd) {
        super(layer);
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
     * Hands back a socket error that the poller's readiness report consumed, so that the socket
     * still reports it. libkqueue fills an event's {@code fflags} by reading {@code SO_ERROR},
     * which clears the error on Linux: without this, a reset peer would read as a clean
     * end-of-stream and a refused connect as "still in progress". The error is reported once,
     * where the kernel would have reported it: by {@code finishConnect}, by a write or send, or by
     * a read or receive that finds no more data. Pollers whose kernel keeps the error pending
     * (epoll, the BSD kqueues) never call this. A second error before the first is reported is
     * dropped, as the kernel keeps one pending error per socket.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param errno the error, as the host OS numbers it; 0 is ignored
     */
    public final void restoreSocketError(int errno) {
        if (restoredError == 0) {
            restoredError = errno;
        }
    }

    /**
     * Takes the error handed back by {@link #restoreSocketError}, clearing it.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the error, or 0 if none is pending
     */
    protected final int takeRestoredError() {
        int e = restoredError;
        if (e != 0) { // no store on the common path: every write asks
            restoredError = 0;
        }
        return e;
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
            if (fd >= 0) {
                LibC.close(fd);
            }
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
