package dev.pollen.linux.epoll;

import dev.pollen.posix.FdSource;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.IoSource;
import dev.pollen.spi.Registration;

/**
 * One source registered with an {@link EpollPoller}. Its {@link #key} is what the kernel hands
 * back in {@code epoll_event.data}: the slot index in the poller's registration array (low 32
 * bits) and a generation (high 32 bits), so an event collected for a registration that was
 * cancelled, and whose slot was reused, during the same poll is recognised and dropped.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class EpollRegistration implements Registration {

    final EpollPoller poller;
    final FdSource source;
    final IoHandler handler;
    final int slot;
    final long key;
    /** Current interest (READ | WRITE). */
    int interest;
    /** Whether the fd is in the kernel's epoll set (lazy: only with a non-zero interest). */
    boolean inKernel;
    boolean cancelled;

    EpollRegistration(EpollPoller poller, FdSource source, IoHandler handler, int slot,
                      int generation) {
        this.poller = poller;
        this.source = source;
        this.handler = handler;
        this.slot = slot;
        this.key = (long) generation << 32 | (slot & 0xffffffffL);
    }

    @Override
    public IoSource source() {
        return source;
    }

    @Override
    public int interest() {
        return interest;
    }

    @Override
    public void interest(int ops) {
        poller.changeInterest(this, ops);
    }

    @Override
    public void cancel() {
        poller.cancel(this);
    }

    @Override
    public boolean isValid() {
        return !cancelled && !poller.isClosed() && source.isOpen();
    }

    @Override
    public String toString() {
        return "EpollRegistration[" + source + ", interest " + interest
                + (cancelled ? ", cancelled" : "") + "]";
    }
}
