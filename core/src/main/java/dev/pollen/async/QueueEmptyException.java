package dev.pollen.async;

/**
 * Thrown by {@link Queue#getNowait()} on an empty queue (asyncio's {@code QueueEmpty}).
 *
 * <p><b>Threading:</b> an ordinary exception; any thread.
 */
public class QueueEmptyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was attempted
     */
    public QueueEmptyException(String message) {
        super(message);
    }
}
