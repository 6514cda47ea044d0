package dev.pollen.nio;

import dev.pollen.spi.AbstractRegistration;
import dev.pollen.spi.IoHandler;

/**
 * A source's registration with a {@link NioPoller}: the interest set and the handler. It is the
 * attachment of the source's {@link java.nio.channels.SelectionKey}; cancelling detaches it, which
 * is how a registration cancelled during dispatch is never called again.
 *
 * <p><b>Threading:</b> loop thread only (except {@link #source()}).
 */
final class NioRegistration extends AbstractRegistration<NioSource> {

    /** The ops error text, shared with {@link NioPoller#register}. */
    static final String OPS_RULE = "interest ops must be a subset of READ (1) | WRITE (2)";

    NioRegistration(NioSource source, IoHandler handler) {
        super(source, handler, OPS_RULE);
    }

    /** Records the interest {@link NioPoller#register} applied. */
    void registered(int ops) {
        storeInterest(ops);
    }

    @Override
    protected void checkPollerOpen() {
        source().poller.checkOpen("Registration.interest");
    }

    @Override
    protected boolean isPollerClosed() {
        return source().poller.isClosed();
    }

    @Override
    protected void applyInterest(int oldOps, int newOps) {
        if (!source().isOpen()) {
            throw new IllegalStateException("source is closed: " + source());
        }
        source().poller.applyInterest(this, newOps);
    }

    /** Drops the source's link and detaches from the key: the handler is never called again. */
    @Override
    protected void doCancel() {
        if (source().registration == this) {
            source().registration = null;
        }
        source().poller.detach(this);
    }

    @Override
    public String toString() {
        return "NioRegistration[" + source() + ", interest=" + interest()
                + (isCancelled() ? ", cancelled" : "") + "]";
    }
}
