package dev.pollen.async;

/**
 * A {@link Barrier} was aborted or reset while a task waited in it, or is broken (asyncio's
 * {@code BrokenBarrierError}). Unchecked, unlike
 * {@link java.util.concurrent.BrokenBarrierException}.
 *
 * <p><b>Threading:</b> an ordinary exception; any thread.
 */
public class BrokenBarrierException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened to the barrier
     */
    public BrokenBarrierException(String message) {
        super(message);
    }
}
