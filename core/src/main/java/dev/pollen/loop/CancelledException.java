package dev.pollen.loop;

import java.util.concurrent.CancellationException;

/**
 * A future or task was cancelled (asyncio's {@code CancelledError}). Thrown by
 * {@link Future#result()} of a cancelled future and, inside a task, by the await that was
 * pending when the task was cancelled. It extends {@link CancellationException} so code written
 * for {@link java.util.concurrent.CompletableFuture} recognises it.
 *
 * <p><b>Threading:</b> an ordinary exception; any thread.
 */
public class CancelledException extends CancellationException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the message given to {@code cancel(msg)}, or null
     */
    public CancelledException(String message) {
        super(message);
    }
}
