package dev.pollen.nio;

import dev.pollen.spi.AbstractRegistration;
import dev.pollen.spi.IoHandler;

/**
 * A source's registration with a {@link NioPoller}. It is the attachment of the source's
 * {@link java.nio.channels.SelectionKey} while it lives; cancelling detaches it, so a key the
 * selector collects afterwards reports nothing.
 *
 * <p><b>Threading:</b> loop thread only (except {@link #source()}).
 */
final class NioRegistration extends AbstractRegistration<NioSource> {

    NioRegistration(NioPoller poller, NioSource source, IoHandler handler) {
        super(poller, source, handler);
    }
}
