package dev.pollen.macos.kqueue;

/**
 * The three calls the poller makes, behind an interface so the batching, wakeup and work-around
 * logic can be tested with a recording fake on any machine. The real one is {@link JnaKqueue}.
 *
 * <p>Return values follow C: -1 on failure, with the error in {@link #lastError()} on the same
 * thread.
 *
 * <p><b>Threading:</b> {@link #kevent} may be called from any thread (the wakeup triggers from
 * other threads); the arrays passed belong to the caller.
 */
public interface KqueueSyscalls {

    /**
     * {@code kqueue()}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the new kqueue's fd, or -1
     */
    int kqueue();

    /**
     * {@code kevent(kq, changes, nChanges, events, nEvents, timeout)}.
     *
     * <p><b>Threading:</b> any thread; the arrays and timeout must not be used by another
     * thread meanwhile, unless they are only read.
     *
     * @param kq       the kqueue fd
     * @param changes  the change list, or null if {@code nChanges == 0}
     * @param nChanges how many changes to apply, in order
     * @param events   where to put events and change errors, or null if {@code nEvents == 0}
     * @param nEvents  room in {@code events}
     * @param timeout  how long to wait, or null to wait without limit
     * @return how many entries were written to {@code events}, or -1
     */
    int kevent(int kq, KeventArray changes, int nChanges, KeventArray events, int nEvents,
            Timespec timeout);

    /**
     * {@code close(fd)} of the kqueue. When it returns, the kqueue's descriptors are freed where
     * the implementation allows it (libkqueue frees its internal ones later unless asked to wait,
     * see {@link JnaKqueue#close}).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param fd the fd
     * @return 0 or -1
     */
    int close(int fd);

    /**
     * The errno of this thread's last failed call.
     *
     * <p><b>Threading:</b> the thread that made the call.
     *
     * @return the errno
     */
    int lastError();
}
