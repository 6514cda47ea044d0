package dev.pollen.spi;

/**
 * The base of a backend's sources: the socket layer that made the source (so a poller knows
 * its own sources) and the slot where an {@link AbstractPoller} keeps the source's live
 * registration, so finding it is a field read, not a map lookup.
 *
 * <p><b>Threading:</b> loop thread only.
 */
public abstract class AbstractSource implements IoSource {

    /** The layer that made this source: its poller's {@code sockets()}. */
    final SocketLayer owner;
    /** Set and cleared by the poller only. */
    AbstractRegistration<?> registration;

    /**
     * Makes a source with no registration.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param owner the socket layer that makes it; the source can be registered only with the
     *              poller whose {@code sockets()} that layer is
     */
    protected AbstractSource(SocketLayer owner) {
        this.owner = owner;
    }

    /**
     * The source's live registration with its poller, or null.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the registration, or null when not registered
     */
    public final AbstractRegistration<?> registration() {
        return registration;
    }
}
