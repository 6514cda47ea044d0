package dev.pollen.macos.kqueue;

import dev.pollen.posix.FdSource;
import dev.pollen.spi.AbstractRegistration;
import dev.pollen.spi.IoHandler;

/**
 * One source registered with a {@link KqueuePoller}: the state of its two kernel filters (see
 * {@link FilterState}) and its id, which travels as the knotes' {@code udata} so events of an
 * older registration of the same fd number are recognised and dropped.
 *
 * <p><b>Threading:</b> loop thread only, except {@link #source()}.
 */
final class KqueueRegistration extends AbstractRegistration<FdSource> {

    final int fd;
    final long id;

    /** State of the EVFILT_READ knote once the queued changes are applied. */
    int readState = FilterState.ABSENT;
    /** State of the EVFILT_WRITE knote once the queued changes are applied. */
    int writeState = FilterState.ABSENT;
    /** Ops of failed changes found by an early flush, reported by the next poll. */
    int deferredOps;

    KqueueRegistration(KqueuePoller poller, FdSource source, long id, IoHandler handler) {
        super(poller, source, handler);
        this.fd = source.fd();
        this.id = id;
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
