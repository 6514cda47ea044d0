package dev.pollen.nio;

import dev.pollen.spi.IoHandler;
import dev.pollen.spi.IoSource;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;

/**
 * A source's registration with a {@link NioPoller}: the interest set and the handler. It is the
 * attachment of the source's {@link java.nio.channels.SelectionKey}; cancelling detaches it, which
 * is how a registration cancelled during dispatch is never called again.
 *
 * <p><b>Threading:</b> loop thread only (except {@link #source()}).
 */
final class NioRegistration implements Registration {

    private static final int ALL = Poller.READ | Poller.WRITE;

    final NioSource source;
    final IoHandler handler;
    /** Current interest, READ | WRITE bits; read by the dispatcher. */
    int interest;
    private boolean cancelled;

    NioRegistration(NioSource source, IoHandler handler) {
        this.source = source;
        this.handler = handler;
    }

    /**
     * The source.
     *
     * <p><b>Threading:</b> any thread (immutable).
     *
     * @return the source
     */
    @Override
    public IoSource source() {
        return source;
    }

    /**
     * The interest set.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return READ | WRITE bits
     */
    @Override
    public int interest() {
        return interest;
    }

    /**
     * Changes the interest set; see {@link Registration#interest(int)}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param ops a subset of READ | WRITE
     */
    @Override
    public void interest(int ops) {
        checkOps(ops);
        if (cancelled) {
            throw new IllegalStateException("registration of " + source + " was cancelled");
        }
        source.poller.checkOpen("Registration.interest");
        if (ops == interest) {
            return; // the current mask again: free, no system call
        }
        if (!source.isOpen()) {
            throw new IllegalStateException("source is closed: " + source);
        }
        source.poller.applyInterest(this, ops);
        interest = ops;
    }

    /**
     * Cancels: the handler is never called again, not even for events of the poll in progress.
     * Idempotent; does nothing after the poller closed.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        if (source.registration == this) {
            source.registration = null;
        }
        source.poller.detach(this);
    }

    /**
     * Whether events can still be delivered.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return false once cancelled, the source closed or the poller closed
     */
    @Override
    public boolean isValid() {
        return !cancelled && source.isOpen() && !source.poller.isClosed();
    }

    static void checkOps(int ops) {
        if ((ops & ~ALL) != 0) {
            throw new IllegalArgumentException(
                    "interest ops must be a subset of READ (1) | WRITE (2), got " + ops);
        }
    }

    @Override
    public String toString() {
        return "NioRegistration[" + source + ", interest=" + interest
                + (cancelled ? ", cancelled" : "") + "]";
    }
}
