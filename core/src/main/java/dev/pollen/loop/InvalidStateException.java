package dev.pollen.loop;

/**
 * An operation is not allowed in the object's current state, e.g. {@link Future#result()} on a
 * pending future or {@link Future#setResult(Object)} on a done one (asyncio's
 * {@code InvalidStateError}).
 *
 * <p><b>Threading:</b> an ordinary exception; any thread.
 */
public class InvalidStateException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was attempted and in which state
     */
    public InvalidStateException(String message) {
        super(message);
    }
}
