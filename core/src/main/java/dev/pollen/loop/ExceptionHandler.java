package dev.pollen.loop;

/**
 * Receives exceptions that escaped callbacks and other errors nobody else could handle
 * (asyncio's {@code loop.set_exception_handler}).
 *
 * <p>Whatever a handler throws never ends the loop: the report it was handling and its own
 * failure both go to {@link EventLoop#defaultExceptionHandler} (which logs them, or, if logging
 * fails too, writes a plain line to standard error), and the loop carries on. A handler is called
 * for errors as well as exceptions ({@link OutOfMemoryError}, {@link StackOverflowError},
 * {@link LinkageError} ...): the loop rethrows nothing (see {@link EventLoop}'s "Errors").
 *
 * <p><b>Threading:</b> called on the loop thread (for a {@code LoopGroup} loop that has died,
 * on its thread as it ends).
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
