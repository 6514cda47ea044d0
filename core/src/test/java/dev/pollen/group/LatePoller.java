package dev.pollen.group;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.DelegatingPoller;
import dev.pollen.testkit.ParkingPoller;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link ParkingPoller} whose every timed poll returns {@code lateNanos} after it should: the
 * loop thread of a loaded machine, descheduled past its timers' deadlines, made deterministic.
 *
 * <p><b>Threading:</b> as {@link Poller}.
 */
final class LatePoller extends DelegatingPoller {

    private final long lateNanos;

    LatePoller(long lateNanos) {
        super(new ParkingPoller());
        this.lateNanos = lateNanos;
    }

    @Override
    public String name() {
        return "late-parking";
    }

    @Override
    public int poll(long timeoutNanos) {
        int n = delegate.poll(timeoutNanos);
        if (timeoutNanos > 0) {
            LockSupport.parkNanos(lateNanos);
        }
        return n;
    }
}
