package dev.pollen.linux.epoll;

import dev.pollen.posix.FdSource;
import dev.pollen.spi.AbstractRegistration;
import dev.pollen.spi.IoHandler;

/**
 * One source registered with an {@link EpollPoller}. Its {@link #key} is what the kernel hands
 * back in {@code epoll_event.data}: the slot index in the poller's registration array (low 32
 * bits) and a generation (high 32 bits), so an event collected for a registration that ended,
 * and whose slot was reused, is recognised and dropped.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class EpollRegistration extends AbstractRegistration<FdSource> {

    final int slot;
    final long key;

    EpollRegistration(EpollPoller poller, FdSource source, IoHandler handler, int slot,
                      int generation) {
        super(poller, source, handler);
        this.slot = slot;
        this.key = (long) generation << 32 | (slot & 0xffffffffL);
    }
}
