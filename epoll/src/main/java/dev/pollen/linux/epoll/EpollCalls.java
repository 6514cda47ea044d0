package dev.pollen.linux.epoll;

import dev.pollen.posix.PosixCalls;

/**
 * glibc's epoll and eventfd calls: the one list of these functions and their signatures, bound
 * by {@link JnaEpollCalls} and (JDK 22+) {@code FfmEpollCalls} under the process's
 * {@link dev.pollen.posix.NativeBinding}. The conventions (return values, {@code long}
 * addresses, the annotations the foreign binding reads) are {@link PosixCalls}'s; errno is read
 * through {@link dev.pollen.posix.LibC#errno()}.
 *
 * <p><b>Threading:</b> any thread.
 */
interface EpollCalls {

    /**
     * epoll_create1(2).
     *
     * @param flags EPOLL_CLOEXEC
     * @return the epoll fd or -1
     */
    int epoll_create1(int flags);

    /**
     * epoll_ctl(2).
     *
     * @param epfd  the epoll fd
     * @param op    EPOLL_CTL_*
     * @param fd    the target fd
     * @param event address of one struct epoll_event (ignored by EPOLL_CTL_DEL)
     * @return 0 or -1
     */
    int epoll_ctl(int epfd, int op, int fd, long event);

    /**
     * epoll_wait(2); blocks up to {@code timeout} ms, so never a critical call.
     *
     * @param epfd      the epoll fd
     * @param events    address of an array of maxevents struct epoll_event
     * @param maxevents the array's length
     * @param timeout   ms, -1 for no limit
     * @return the number of ready events or -1
     */
    int epoll_wait(int epfd, long events, int maxevents, int timeout);

    /**
     * eventfd(2).
     *
     * @param initval the initial count
     * @param flags   EFD_*
     * @return the fd or -1
     */
    int eventfd(int initval, int flags);
}
