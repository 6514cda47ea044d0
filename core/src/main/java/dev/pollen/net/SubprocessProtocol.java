package dev.pollen.net;

import java.nio.ByteBuffer;

/**
 * The callbacks of a child process started by {@link Net#subprocessExec} or
 * {@link Net#subprocessShell} (asyncio's {@code SubprocessProtocol}). Every method has an empty
 * default.
 *
 * <p>Order: {@link #connectionMade} first; then, in any order, {@link #pipeDataReceived} per
 * chunk of output, {@link #pipeConnectionLost} once per pipe, {@link #processExited} once;
 * {@link #connectionLost} last, once the child has exited and every pipe is closed.
 *
 * <p><b>Threading:</b> every method is called on the loop thread.
 */
public interface SubprocessProtocol {

    /**
     * The child has started.
     *
     * @param transport its transport: pid, pipes, signals, exit status
     */
    default void connectionMade(SubprocessTransport transport) {
    }

    /**
     * The child wrote to its stdout ({@code fd} 1) or stderr ({@code fd} 2). The buffer may be
     * the loop's reused read buffer: valid only during the call.
     *
     * @param fd   1 or 2
     * @param data the bytes
     */
    default void pipeDataReceived(int fd, ByteBuffer data) {
    }

    /**
     * Pipe {@code fd} (0, 1 or 2) is closed.
     *
     * @param fd    the child's descriptor
     * @param cause null for a normal end, else the error
     */
    default void pipeConnectionLost(int fd, Throwable cause) {
    }

    /** The child has exited; {@link SubprocessTransport#returncode()} has its status. */
    default void processExited() {
    }

    /**
     * The child has exited and all its pipes are closed: nothing more will be called.
     *
     * @param cause always null (asyncio passes None)
     */
    default void connectionLost(Throwable cause) {
    }
}
