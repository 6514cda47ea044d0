package dev.pollen.testkit;

/**
 * Runs a test body with a system property set, restoring the old value (or its absence) after.
 *
 * <p><b>Threading:</b> the test thread; system properties are process-wide, so tests using this
 * must not run concurrently with others reading the same property.
 */
public final class SystemProperty {

    private SystemProperty() {
    }

    /**
     * A test body that may throw.
     *
     * @param <E> what it throws
     */
    public interface Body<E extends Exception> {
        /**
         * Runs it.
         *
         * @throws E as it does
         */
        void run() throws E;
    }

    /**
     * Runs {@code body} with the system property {@code key} set to {@code value}, then restores it.
     *
     * @param <E> what the body throws
     * @param key the property
     * @param value its value during the body
     * @param body what to run
     * @throws E as the body does
     */
    public static <E extends Exception> void with(String key, String value, Body<E> body) throws E {
        String old = System.getProperty(key);
        System.setProperty(key, value);
        try {
            body.run();
        } finally {
            if (old == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, old);
            }
        }
    }
}
