package dev.pollen.group;

import dev.pollen.spi.IoHandler;
import dev.pollen.spi.IoSource;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketLayer;
import dev.pollen.testkit.ParkingPoller;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link ParkingPoller} whose every timed poll returns {@code lateNanos} after it should: the
 * loop thread of a loaded machine, descheduled past its timers' deadlines, made deterministic.
 *
 * <p><b>Threading:</b> as {@link Poller}.
 */
final class LatePoller implements Poller {

    private final ParkingPoller delegate = new ParkingPoller();
    private final long lateNanos;

    LatePoller(long lateNanos) {
        this.lateNanos = lateNanos;
    }

    @Override
    public String name() {
        return "late-parking";
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
        int n = delegate.poll(timeoutNanos);
        if (timeoutNanos > 0) {
            LockSupport.parkNanos(lateNanos);
        }
        return n;
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
