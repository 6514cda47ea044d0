package dev.pollen.net;

/**
 * {@link Net#sendfile(Transport, java.nio.channels.FileChannel, long, long, boolean)} with
 * {@code fallback} false on a transport where the kernel cannot send the file itself (TLS, a pipe
 * or subprocess stream, a poller without the zero-copy path): asyncio's
 * {@code SendfileNotAvailableError}, which is also a {@code RuntimeError} there. Nothing was sent;
 * call it again with {@code fallback} true for the read/write path.
 *
 * <p><b>Threading:</b> an ordinary exception object; any thread.
 */
public final class SendfileNotAvailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message why the zero-copy path is not available, and what to do
     * @param cause   what the backend reported, or null
     */
    public SendfileNotAvailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
