package dev.pollen.loop;

/**
 * What went wrong, as given to an {@link ExceptionHandler} (asyncio's context dict).
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param message   a description of what failed
 * @param exception the exception, or null
 * @param source    the callback, future, task, transport or server involved, or null
 */
public record ExceptionContext(String message, Throwable exception, Object source) {
}
