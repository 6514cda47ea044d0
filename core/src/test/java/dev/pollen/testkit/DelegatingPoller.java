package dev.pollen.testkit;

import dev.pollen.spi.IoHandler;
import dev.pollen.spi.IoSource;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketLayer;

/**
 * A {@link Poller} that passes every call to another one: tests subclass it to change one
 * behaviour (a poll that fails, a poll that returns late) on any backend.
 *
 * <p><b>Threading:</b> as {@link Poller}.
 */
public class DelegatingPoller implements Poller {

    /** The poller every call goes to. */
    protected final Poller delegate;

    /**
     * Wraps {@code delegate}.
     *
     * @param delegate the poller to pass calls to
     */
    public DelegatingPoller(Poller delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public SocketLayer sockets() {
        return delegate.sockets();
    }

    @Override
    public Registration register(IoSource source, int ops, IoHandler handler) {
        return delegate.register(source, ops, handler);
    }

    @Override
    public int poll(long timeoutNanos) {
        return delegate.poll(timeoutNanos);
    }

    @Override
    public void wakeup() {
        delegate.wakeup();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public boolean isClosed() {
        return delegate.isClosed();
    }
}
