package dev.pollen.spi;

import java.util.Objects;

/**
 * Whether a {@link PollerProvider} can run on this machine, and why or why not.
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param available whether the provider can make pollers here
 * @param reason    a human-readable reason, e.g. "libkqueue not loadable: ..." or "Linux
 *                  x86_64, epoll via JNA"
 */
public record Availability(boolean available, String reason) {

    /**
     * Validates the fields.
     *
     * @param available whether available
     * @param reason    the reason, never null
     */
    public Availability {
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * An available verdict.
     *
     * @param reason what was found, e.g. the native library that loaded
     * @return the verdict
     */
    public static Availability available(String reason) {
        return new Availability(true, reason);
    }

    /**
     * An unavailable verdict.
     *
     * @param reason why not, in words a user can act on
     * @return the verdict
     */
    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }
}
