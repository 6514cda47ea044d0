package dev.pollen.spi;

/**
 * The base of a backend's sources: the slot where an {@link AbstractPoller} keeps the source's
 * live registration, so finding it is a field read, not a map lookup.
 *
 * <p><b>Threading:</b> loop thread only.
 */
public abstract class AbstractSource implements IoSource {

    /** Set and cleared by the poller only. */
    AbstractRegistration<?> registration;

    /**
     * Makes a source with no registration.
     *
     * <p><b>Threading:</b> any thread.
     */
    protected AbstractSource() {
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
