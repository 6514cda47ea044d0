package dev.pollen.spi;

/**
 * Support for backend authors: a {@link PollerProvider} whose {@link #availability()} is computed
 * once, by {@link #detect()}, on first use (never in the constructor, which must do no native
 * work) and then cached.
 *
 * <p><b>Threading:</b> every method is thread-safe; {@link #detect()} runs at most once, under
 * the provider's lock.
 */
public abstract class AbstractPollerProvider implements PollerProvider {

    private volatile Availability availability;

    /**
     * Does no work.
     *
     * <p><b>Threading:</b> any thread.
     */
    protected AbstractPollerProvider() {
    }

    /**
     * The verdict of {@link #detect()}, computed the first time and cached.
     *
     * <p><b>Threading:</b> any thread; never throws (as long as {@code detect} does not).
     *
     * @return the verdict
     */
    @Override
    public final Availability availability() {
        Availability a = availability;
        if (a == null) {
            synchronized (this) {
                a = availability;
                if (a == null) {
                    a = detect();
                    availability = a;
                }
            }
        }
        return a;
    }

    /**
     * Decides whether the backend works here: loads its library, probes the kernel. Called once.
     *
     * <p><b>Threading:</b> called under the provider's lock, from whichever thread first asks.
     *
     * @return the verdict with a human-readable reason; must never throw (a failure is an
     *     unavailable verdict naming the cause)
     */
    protected abstract Availability detect();

    /**
     * For {@link #create()}: throws unless available.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param messagePrefix the message before the reason, e.g. {@code "the epoll poller is
     *                      unavailable: "}
     * @throws IllegalStateException if unavailable, with the reason
     */
    protected final void requireAvailable(String messagePrefix) {
        Availability a = availability();
        if (!a.available()) {
            throw new IllegalStateException(messagePrefix + a.reason());
        }
    }
}
