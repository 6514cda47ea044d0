package dev.pollen.spi;

/**
 * What {@link Pollers#list()} reports about one provider.
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param name      the provider's name
 * @param available whether it can run here
 * @param reason    why it is or is not available
 * @param priority  its priority for {@code auto}
 */
public record PollerInfo(String name, boolean available, String reason, int priority) {

    @Override
    public String toString() {
        return name + (available ? " (available" : " (unavailable") + ", priority " + priority
                + "): " + reason;
    }
}
