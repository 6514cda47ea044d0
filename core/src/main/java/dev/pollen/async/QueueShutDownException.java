package dev.pollen.async;

/**
 * Thrown by a put into a queue that was {@linkplain Queue#shutdown() shut down}, or a get from
 * one that is shut down and empty (asyncio's {@code QueueShutDown}).
 *
 * <p><b>Threading:</b> an ordinary exception; any thread.
 */
public class QueueShutDownException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was attempted
     */
    public QueueShutDownException(String message) {
        super(message);
    }
}
