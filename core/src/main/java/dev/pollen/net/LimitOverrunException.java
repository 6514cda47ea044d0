package dev.pollen.net;

import java.io.IOException;

/**
 * A separator was not found within the {@link StreamReader}'s limit (asyncio's
 * {@code LimitOverrunError}). After {@link StreamReader#readUntil} the data stays in the buffer;
 * after {@link StreamReader#readLine} it was dropped.
 *
 * <p><b>Threading:</b> an ordinary exception; any thread.
 */
public class LimitOverrunException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int consumed;

    /**
     * Creates the exception.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param message  what happened
     * @param consumed how many bytes the search covered (the separator's index when found)
     */
    public LimitOverrunException(String message, int consumed) {
        super(message);
        this.consumed = consumed;
    }

    /**
     * How many buffered bytes the search covered.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the byte count
     */
    public int consumed() {
        return consumed;
    }
}
