package dev.pollen.macos.kqueue;

import dev.pollen.posix.FdSource;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.IoSource;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;

/**
 * One source registered with a {@link KqueuePoller}: its interest, handler, the state of its two
 * kernel filters (see {@link FilterState}) and its id, which travels as the knotes' {@code udata}
 * so events of an older registration of the same fd number are recognised and dropped.
 *
 * <p><b>Threading:</b> loop thread only, except {@link #source()}.
 */
final class KqueueRegistration implements Registration {

    final KqueuePoller poller;
    final FdSource source;
    final int fd;
    final long id;
    final IoHandler handler;

    int interest;
    /** State of the EVFILT_READ knote once the queued changes are applied. */
    int readState = FilterState.ABSENT;
    /** State of the EVFILT_WRITE knote once the queued changes are applied. */
    int writeState = FilterState.ABSENT;
    /** Ops collected for the dispatch in progress; non-zero while in the poller's ready list. */
    int readyOps;
    /** Ops of failed changes found by an early flush, reported by the next poll. */
    int deferredOps;
    boolean valid = true;

    KqueueRegistration(KqueuePoller poller, FdSource source, long id, IoHandler handler) {
        this.poller = poller;
        this.source = source;
        this.fd = source.fd();
        this.id = id;
        this.handler = handler;
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
        checkOps(ops);
        if (!valid) {
            throw new IllegalStateException(poller.isClosed()
                    ? "the kqueue poller is closed; this registration is invalid"
                    : "registration of " + source + " was cancelled (or its source closed)");
        }
        if (ops != interest) {
            poller.applyInterest(this, ops);
        }
    }

    @Override
    public void cancel() {
        if (valid) {
            poller.cancel(this);
        }
    }

    @Override
    public boolean isValid() {
        return valid && source.isOpen() && !poller.isClosed();
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

    static void checkOps(int ops) {
        if ((ops & ~(Poller.READ | Poller.WRITE)) != 0) {
            throw new IllegalArgumentException("interest ops must be a subset of READ|WRITE (3), got "
                    + ops);
        }
    }

    @Override
    public String toString() {
        return "KqueueRegistration[" + source + ", interest " + interest + ", read "
                + FilterState.name(readState) + ", write " + FilterState.name(writeState)
                + (valid ? "" : ", cancelled") + "]";
    }
}
