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

    /**
     * Whether the exception is a routine network event rather than a bug: the peer reset the
     * connection (ECONNRESET) or aborted it, a write met a connection the peer had closed
     * (EPIPE), the connection is not connected (ENOTCONN), a timeout (ETIMEDOUT, a
     * {@link java.net.SocketTimeoutException}), a refused connect (a
     * {@link java.net.ConnectException}), or the peer left in the middle of a message (an
     * {@link java.io.EOFException}, such as {@code IncompleteReadException}) — found in the
     * exception or its causes. The {@linkplain EventLoop#defaultExceptionHandler default
     * handling} logs these as one line without a stack trace, at INFO, on the logger
     * {@code dev.pollen.net.routine}; an exception handler of your own can use this to do the
     * same.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true for the events above
     */
    public boolean isRoutineNetworkError() {
        return RoutineNetworkErrors.find(exception) != null;
    }
}
