package dev.pollen.async;

/**
 * A deadline passed (asyncio's {@code TimeoutError}): thrown by {@link Timeout} scopes,
 * {@link Async#waitFor} and {@link AsCompleted}. Unchecked, unlike
 * {@link java.util.concurrent.TimeoutException}. When a timeout cancelled the task to interrupt
 * an await, the {@link dev.pollen.loop.CancelledException} it turned into is the cause.
 *
 * <p><b>Threading:</b> an ordinary exception; any thread.
 */
public class TimeoutException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what timed out
     */
    public TimeoutException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what timed out
     * @param cause   the cancellation it replaces, or null
     */
    public TimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
