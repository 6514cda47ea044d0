package dev.pollen.net;

import java.io.EOFException;

/**
 * End-of-stream came before a read was satisfied (asyncio's {@code IncompleteReadError}, which is
 * an {@code EOFError} as this is an {@link EOFException}). Carries the bytes that were read.
 *
 * <p><b>Threading:</b> an ordinary exception; any thread.
 */
public class IncompleteReadException extends EOFException {

    private static final long serialVersionUID = 1L;

    private final transient byte[] partial;
    private final int expected;

    /**
     * Creates the exception.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param partial  the bytes read before end-of-stream
     * @param expected how many were wanted, or -1 when reading up to a separator
     */
    public IncompleteReadException(byte[] partial, int expected) {
        super(partial.length + " bytes read on a total of "
                + (expected < 0 ? "undefined" : String.valueOf(expected)) + " expected bytes");
        this.partial = partial;
        this.expected = expected;
    }

    /**
     * The bytes read before end-of-stream (consumed from the reader).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the partial data
     */
    public byte[] partial() {
        return partial;
    }

    /**
     * How many bytes were wanted.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the expected count, or -1 for a read up to a separator
     */
    public int expected() {
        return expected;
    }
}
