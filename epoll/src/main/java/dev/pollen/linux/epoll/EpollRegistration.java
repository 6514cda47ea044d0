package dev.pollen.linux.epoll;

import dev.pollen.posix.FdSource;
import dev.pollen.spi.AbstractRegistration;
import dev.pollen.spi.IoHandler;

/**
 * One source registered with an {@link EpollPoller}. Its {@link #key} is what the kernel hands
 * back in {@code epoll_event.data}: the slot index in the poller's registration array (low 32
 * bits) and a generation (high 32 bits), so an event collected for a registration that was
 * cancelled, and whose slot was reused, during the same poll is recognised and dropped.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class EpollRegistration extends AbstractRegistration<FdSource> {

    /** The ops error text, shared with {@link EpollPoller#register}. */
    static final String OPS_RULE = "ops must be a subset of READ (1) | WRITE (2)";

    final EpollPoller poller;
    final int slot;
    final long key;
    /** Whether the fd is in the kernel's epoll set (lazy: only with a non-zero interest). */
    boolean inKernel;

    EpollRegistration(EpollPoller poller, FdSource source, IoHandler handler, int slot,
                      int generation) {
        super(source, handler, OPS_RULE);
        this.poller = poller;
        this.slot = slot;
        this.key = (long) generation << 32 | (slot & 0xffffffffL);
    }

    /** Records the interest {@link EpollPoller#register} put in the kernel. */
    void registered(int ops) {
        storeInterest(ops);
    }

    /** Marks the registration dead when the poller closes (no kernel work: the set is gone). */
    void dropped() {
        markCancelled();
    }

    @Override
    protected void checkPollerOpen() {
        poller.checkOpen("Registration.interest");
    }

    @Override
    protected boolean isPollerClosed() {
        return poller.isClosed();
    }

    @Override
    protected void applyInterest(int oldOps, int newOps) {
        poller.changeInterest(this, newOps);
    }

    @Override
    protected void doCancel() {
        poller.cancel(this);
    }

    @Override
    public String toString() {
        return "EpollRegistration[" + source() + ", interest " + interest()
                + (isCancelled() ? ", cancelled" : "") + "]";
    }
}
