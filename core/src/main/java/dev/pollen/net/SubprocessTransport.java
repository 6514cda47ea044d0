package dev.pollen.net;

import java.io.IOException;

/**
 * The transport of a child process (asyncio's {@code SubprocessTransport}); {@link Subprocess}
 * implements it.
 *
 * <p><b>Threading:</b> loop thread only.
 */
public interface SubprocessTransport {

    /**
     * The child's process id (asyncio's {@code get_pid}).
     *
     * @return the pid
     */
    long pid();

    /**
     * The exit status: null while it runs, the exit code, or {@code -N} after signal {@code N}
     * (asyncio's {@code get_returncode}).
     *
     * @return the status or null
     */
    Integer returncode();

    /**
     * The transport of pipe {@code fd} (asyncio's {@code get_pipe_transport}), or null.
     *
     * @param fd 0, 1 or 2
     * @return the transport or null
     */
    Transport pipeTransport(int fd);

    /**
     * Sends a signal (asyncio's {@code send_signal}).
     *
     * @param signal the signal number
     * @throws IOException if the kernel refused it
     */
    void sendSignal(int signal) throws IOException;

    /**
     * Sends {@code SIGTERM}.
     *
     * @throws IOException if the kernel refused it
     */
    void terminate() throws IOException;

    /**
     * Sends {@code SIGKILL}.
     *
     * @throws IOException if the kernel refused it
     */
    void kill() throws IOException;

    /** Closes the pipes and kills the child if it still runs. */
    void close();
}
