package dev.pollen.async;

/**
 * When {@link Async#wait} returns (asyncio's {@code return_when}).
 *
 * <p><b>Threading:</b> an enum; any thread.
 */
public enum ReturnWhen {
    /** As soon as any future is done (or cancelled). */
    FIRST_COMPLETED,
    /** As soon as any future fails with an exception, or when all are done. */
    FIRST_EXCEPTION,
    /** When all futures are done. */
    ALL_COMPLETED
}
