package dev.pollen.loop;

/**
 * Receives exceptions that escaped callbacks and other errors nobody else could handle
 * (asyncio's {@code loop.set_exception_handler}).
 *
 * <p><b>Threading:</b> called on the loop thread. If the handler itself throws, the loop logs
 * that through {@link System.Logger} and carries on.
 */
@FunctionalInterface
public interface ExceptionHandler {

    /**
     * Handles one error.
     *
     * @param loop    the loop it happened on
     * @param context what happened
     */
    void handle(EventLoop loop, ExceptionContext context);
}
