package dev.pollen.spi;

/**
 * A backend's entry point, found with {@link java.util.ServiceLoader} under
 * {@code META-INF/services/dev.pollen.spi.PollerProvider}.
 *
 * <p>Implementations must have a public no-argument constructor that does no native work:
 * loading libraries and probing the kernel happen in {@link #availability()}, which must never
 * throw (a failure is an unavailable verdict with the reason).
 *
 * <p><b>Threading:</b> every method is thread-safe.
 */
public interface PollerProvider {

    /**
     * The name users select with {@code -Dpollen.poller=NAME}, e.g. {@code "epoll"}.
     *
     * @return a short lower-case name, unique among providers
     */
    String name();

    /**
     * Whether this provider works here. Computed once and cached by the implementation.
     *
     * @return the verdict with a human-readable reason; never throws
     */
    Availability availability();

    /**
     * How strongly {@code auto} prefers this provider when it is available: the highest wins.
     * Conventions: 100 for the platform's fastest native poller, 50 for other native ones,
     * 10 for the portable NIO fallback.
     *
     * @return the priority
     */
    int priority();

    /**
     * Makes a new poller.
     *
     * @return a new, open poller
     * @throws IllegalStateException if the provider is unavailable (the message says why)
     * @throws java.io.UncheckedIOException if the kernel refuses (e.g. out of descriptors)
     */
    Poller create();
}
