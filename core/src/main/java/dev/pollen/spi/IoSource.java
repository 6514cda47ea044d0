package dev.pollen.spi;

import java.io.Closeable;

/**
 * Something a {@link Poller} can watch for readiness: a socket created by that poller's
 * {@link SocketLayer}.
 *
 * <p>A source belongs to the poller whose socket layer made it; registering it with another
 * poller fails with an {@link IllegalArgumentException}.
 *
 * <p><b>Threading:</b> loop thread only.
 */
public interface IoSource extends Closeable {

    /**
     * Whether this source is still open.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return false once {@link #close()} has been called
     */
    boolean isOpen();

    /**
     * Closes the source. If it is registered, the registration is cancelled first (some kernels,
     * e.g. libkqueue, keep registrations of closed descriptors), so no readiness is reported for
     * it after this returns. Closing twice does nothing.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    void close();
}
