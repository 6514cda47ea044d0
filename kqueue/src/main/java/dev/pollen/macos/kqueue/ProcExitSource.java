package dev.pollen.macos.kqueue;

import dev.pollen.posix.FdSource;
import dev.pollen.posix.PosixProcessLayer;
import dev.pollen.posix.PosixSocketLayer;

/**
 * A child process's exit as a source of a {@link KqueuePoller}: registered for READ, it becomes
 * an {@code EVFILT_PROC} knote with {@code NOTE_EXIT} on the child's pid in the poller's own
 * kqueue, and is reported readable once the child has exited (a zombie until the process layer
 * reaps it with {@code waitpid}). It is no descriptor ({@link #fd()} is -1): closing it ends the
 * watch and closes nothing. It is also reported readable once right after each add, so that a
 * child that exited before its knote existed is found by the process layer's
 * {@code waitpid(WNOHANG)}: on macOS a knote attached to a zombie never fires. Made by the poller's process layer
 * ({@link KqueueConfig.ChildExit#EVFILT_PROC}).
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class ProcExitSource extends FdSource implements PosixProcessLayer.ExitReport {

    /** The watched child. */
    final int pid;
    /** Set by the poller when the kernel told the exit ({@code NOTE_EXIT}, or ESRCH on add). */
    boolean exited;

    ProcExitSource(PosixSocketLayer layer, int pid) {
        super(layer, -1);
        this.pid = pid;
    }

    @Override
    public boolean exitReported() {
        return exited;
    }

    @Override
    public String toString() {
        return "ProcExitSource[pid " + pid + (isOpen() ? "" : ", closed") + "]";
    }
}
