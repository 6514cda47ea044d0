package dev.pollen.async;

/**
 * Thrown by {@link Queue#putNowait(Object)} on a full queue (asyncio's {@code QueueFull}).
 *
 * <p><b>Threading:</b> an ordinary exception; any thread.
 */
public class QueueFullException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was attempted
     */
    public QueueFullException(String message) {
        super(message);
    }
}
