package dev.pollen.spi;

/**
 * The link between one {@link IoSource} and a {@link Poller}: its interest set and handler.
 *
 * <p><b>Threading:</b> loop thread only.
 */
public interface Registration {

    /**
     * The source this registration watches.
     *
     * <p><b>Threading:</b> any thread (immutable).
     *
     * @return the source
     */
    IoSource source();

    /**
     * The current interest set.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return a subset of {@link Poller#READ} | {@link Poller#WRITE}
     */
    int interest();

    /**
     * Changes the interest set. A zero mask keeps the registration (and its handler) but removes
     * the source from the kernel's set, so nothing is reported for it and it costs the kernel
     * nothing; a later non-zero mask adds it again. Setting the current mask again is free (no
     * system call).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param ops a subset of {@link Poller#READ} | {@link Poller#WRITE}
     * @throws IllegalArgumentException if {@code ops} has other bits
     * @throws IllegalStateException if the registration was cancelled or the poller closed
     */
    void interest(int ops);

    /**
     * Removes the source from the poller for good. Idempotent. After it returns the handler is
     * never called again, not even for events already collected by the current poll.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    void cancel();

    /**
     * Whether the registration is still live (not cancelled, source open, poller open).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true while events can still be delivered
     */
    boolean isValid();
}
