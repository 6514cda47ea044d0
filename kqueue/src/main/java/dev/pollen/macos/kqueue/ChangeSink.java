package dev.pollen.macos.kqueue;

/**
 * Receives kevent changes (the poller's batched change list, or a recorder in tests).
 *
 * <p><b>Threading:</b> loop thread only.
 */
@FunctionalInterface
interface ChangeSink {

    /**
     * Queues one change.
     *
     * @param ident  the fd
     * @param filter the filter
     * @param flags  EV_* flags
     * @param udata  the registration's id
     */
    void change(long ident, short filter, int flags, long udata);
}
