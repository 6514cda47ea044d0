package dev.pollen.testkit;

import dev.pollen.spi.IoHandler;
import dev.pollen.spi.IoSource;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketLayer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A pure-Java poller without sockets, for testing the loop, futures and tasks inside core
 * (which has no backend of its own). {@link #poll(long)} parks the thread until the timeout or
 * a {@link #wakeup()}; registering a source is refused. Its wakeup is coalesced like a real
 * poller's: wakeups between two polls make exactly one poll return early.
 *
 * <p><b>Threading:</b> as {@link Poller}: loop thread only except {@code wakeup}.
 */
public final class ParkingPoller implements Poller {

    private final AtomicBoolean woken = new AtomicBoolean();
    private volatile Thread polling;
    private volatile boolean closed;

    @Override
    public String name() {
        return "parking";
    }

    @Override
    public SocketLayer sockets() {
        throw new UnsupportedOperationException("the parking test poller has no sockets");
    }

    @Override
    public Registration register(IoSource source, int ops, IoHandler handler) {
        checkOpen();
        throw new UnsupportedOperationException("the parking test poller has no sockets");
    }

    @Override
    public int poll(long timeoutNanos) {
        checkOpen();
        if (woken.getAndSet(false) || timeoutNanos == 0) {
            return 0;
        }
        polling = Thread.currentThread();
        // An interrupted thread would return from park at once and spin: clear the flag for the
        // wait and restore it afterwards (the Poller contract: interrupts do not affect a poll).
        boolean interrupted = Thread.interrupted();
        try {
            long deadline = System.nanoTime() + timeoutNanos;
            while (!woken.get()) {
                if (timeoutNanos < 0) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
        } finally {
            polling = null;
            if (interrupted || Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
        woken.set(false);
        return 0;
    }

    @Override
    public void wakeup() {
        if (!closed && !woken.getAndSet(true)) {
            Thread t = polling;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("poller is closed");
        }
    }
}
