package dev.pollen.posix;

/**
 * What an fd-based poller supplies to its {@link PosixSocketLayer}: a call made by
 * {@link FdSource#close()} <em>before</em> the descriptor is closed, so the poller can remove its
 * registration from the kernel first. epoll forgets closed fds by itself, but libkqueue keeps
 * the registrations of closed fds (and a reused fd number would inherit them), so every fd
 * poller deregisters here, for uniformity.
 *
 * <p><b>Threading:</b> called on the loop thread.
 */
@FunctionalInterface
public interface FdCloseHook {

    /**
     * The source is about to close its fd: cancel its registration, if any. Must not throw.
     *
     * <p><b>Threading:</b> loop thread.
     *
     * @param source the source; {@link FdSource#fd()} is still open
     */
    void beforeClose(FdSource source);
}
