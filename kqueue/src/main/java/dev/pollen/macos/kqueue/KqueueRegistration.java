package dev.pollen.macos.kqueue;

import dev.pollen.posix.FdSource;
import dev.pollen.spi.AbstractRegistration;
import dev.pollen.spi.IoHandler;

/**
 * One source registered with a {@link KqueuePoller}: its interest, handler, the state of its two
 * kernel filters (see {@link FilterState}) and its id, which travels as the knotes' {@code udata}
 * so events of an older registration of the same fd number are recognised and dropped.
 *
 * <p><b>Threading:</b> loop thread only, except {@link #source()}.
 */
final class KqueueRegistration extends AbstractRegistration<FdSource> {

    /** The ops error text, shared with {@link KqueuePoller#register}. */
    static final String OPS_RULE = "interest ops must be a subset of READ|WRITE (3)";

    final KqueuePoller poller;
    final int fd;
    final long id;

    /** State of the EVFILT_READ knote once the queued changes are applied. */
    int readState = FilterState.ABSENT;
    /** State of the EVFILT_WRITE knote once the queued changes are applied. */
    int writeState = FilterState.ABSENT;
    /** Ops collected for the dispatch in progress; non-zero while in the poller's ready list. */
    int readyOps;
    /** Ops of failed changes found by an early flush, reported by the next poll. */
    int deferredOps;

    KqueueRegistration(KqueuePoller poller, FdSource source, long id, IoHandler handler) {
        super(source, handler, OPS_RULE);
        this.poller = poller;
        this.fd = source.fd();
        this.id = id;
    }

    /** Records the interest {@link KqueuePoller#applyInterest} queued. */
    void interestApplied(int ops) {
        storeInterest(ops);
    }

    /** Marks the registration dead: cancelled, its source closed or the poller closed. */
    void invalidate() {
        markCancelled();
    }

    @Override
    protected String cancelledMessage() {
        return poller.isClosed()
                ? "the kqueue poller is closed; this registration is invalid"
                : "registration of " + source() + " was cancelled (or its source closed)";
    }

    @Override
    protected void checkPollerOpen() {
        // Nothing more to check: closing the poller invalidated every registration (so the
        // cancelled check already threw), and KqueuePoller.applyInterest checks again.
    }

    @Override
    protected boolean isPollerClosed() {
        return poller.isClosed();
    }

    @Override
    protected void applyInterest(int oldOps, int newOps) {
        poller.applyInterest(this, newOps);
    }

    @Override
    protected void doCancel() {
        poller.cancel(this);
    }

    int state(short filter) {
        return filter == Kevent.EVFILT_READ ? readState : writeState;
    }

    void state(short filter, int state) {
        if (filter == Kevent.EVFILT_READ) {
            readState = state;
        } else {
            writeState = state;
        }
    }

    @Override
    public String toString() {
        return "KqueueRegistration[" + source() + ", interest " + interest() + ", read "
                + FilterState.name(readState) + ", write " + FilterState.name(writeState)
                + (isCancelled() ? ", cancelled" : "") + "]";
    }
}
