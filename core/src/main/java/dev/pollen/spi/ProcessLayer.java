package dev.pollen.spi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A poller's way of starting child processes whose pipes and exit it can watch itself, without a
 * thread (for {@code Net.createSubprocessExec}): the pipes are non-blocking {@link StreamSocket}s
 * the poller registers like sockets, and the child's exit makes {@link SpawnedProcess#exitSource()}
 * readable (a Linux {@code pidfd}, or a kqueue {@code EVFILT_PROC} watch: a source of the poller
 * that is no descriptor). A poller without one returns null from {@link SocketLayer#processes()}, and the core
 * falls back to the JDK's {@link ProcessBuilder} with threads.
 *
 * <p><b>Threading:</b> the owning loop's thread.
 */
public interface ProcessLayer {

    /** The child's stream is the JVM's own. */
    int INHERIT = 0;
    /** The child's stream is {@code /dev/null}. */
    int DEVNULL = 1;
    /** The child's stream is a pipe to this process. */
    int PIPE = 2;
    /** For stderr only: the same as the child's stdout. */
    int STDOUT = 3;

    /**
     * Starts a child.
     *
     * @param argv      the program (searched on the {@code PATH} unless it has a slash) and its
     *                  arguments
     * @param directory its working directory, or null for this process's
     * @param env       its whole environment, or null for this process's
     * @param stdin     {@link #INHERIT}, {@link #DEVNULL} or {@link #PIPE}
     * @param stdout    {@link #INHERIT}, {@link #DEVNULL} or {@link #PIPE}
     * @param stderr    {@link #INHERIT}, {@link #DEVNULL}, {@link #PIPE} or {@link #STDOUT}
     * @return the running child
     * @throws IOException if it cannot be started; the message names the program and the reason
     */
    SpawnedProcess spawn(List<String> argv, Path directory, Map<String, String> env, int stdin,
            int stdout, int stderr) throws IOException;

    /**
     * A child started by {@link ProcessLayer#spawn}.
     *
     * <p><b>Threading:</b> the owning loop's thread.
     */
    interface SpawnedProcess {

        /**
         * The process id.
         *
         * @return the pid
         */
        long pid();

        /**
         * The parent's end of the stdin pipe (write only), or null if stdin is not a pipe.
         *
         * @return the pipe end or null
         */
        StreamSocket stdin();

        /**
         * The parent's end of the stdout pipe (read only), or null.
         *
         * @return the pipe end or null
         */
        StreamSocket stdout();

        /**
         * The parent's end of the stderr pipe (read only), or null.
         *
         * @return the pipe end or null
         */
        StreamSocket stderr();

        /**
         * A source that becomes readable once the child has exited; register it for
         * {@link Poller#READ}, then call {@link #reap()}.
         *
         * @return the source
         */
        IoSource exitSource();

        /**
         * Collects the child's exit status if it has exited, without blocking (the caller then
         * cancels the exit source's registration and closes it).
         *
         * @return null while it runs, else its exit code, or {@code -N} if signal {@code N}
         *         ended it
         * @throws IOException if the status cannot be read
         */
        Integer reap() throws IOException;

        /**
         * Sends a signal to the child (not yet reaped).
         *
         * @param signal the signal number
         * @throws IOException if the kernel refuses
         */
        void signal(int signal) throws IOException;

        /**
         * Gives the child up because its loop is closing: closes the exit source (the caller has
         * cancelled its registration) and makes sure the child is reaped once it has exited, so
         * that it leaves neither a zombie nor a descriptor behind. A child that has exited is
         * reaped at once; one that still runs is reaped by a daemon thread that waits for it
         * (the caller kills it first, as asyncio's transport close does, so the wait is short).
         * Does nothing for a child already reaped. Never throws.
         */
        void abandon();
    }
}
