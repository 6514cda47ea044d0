package dev.pollen.spi;

import java.io.IOException;

/**
 * An accept or socket creation failed because the process or the system ran out of file
 * descriptors (EMFILE, ENFILE) or buffers (ENOBUFS, ENOMEM). Servers catch it to back off instead
 * of spinning on a listening socket that stays readable.
 *
 * <p><b>Threading:</b> an ordinary exception; any thread.
 */
public class ResourceExhaustedException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed and the kernel's error name
     */
    public ResourceExhaustedException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what failed and the kernel's error name
     * @param cause   the underlying exception
     */
    public ResourceExhaustedException(String message, Throwable cause) {
        super(message, cause);
    }
}
