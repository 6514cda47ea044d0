package dev.pollen.linux.epoll;

import dev.pollen.posix.NativeBinding;

/**
 * glibc's epoll and eventfd calls and constants for {@link EpollPoller}: static methods
 * forwarding to the {@link EpollCalls} binding that matches the process's {@link NativeBinding}
 * ({@code static final}, so the JIT inlines the forwarding). Each returns what the C function
 * returns; on -1 the error is in {@link dev.pollen.posix.LibC#errno()}.
 *
 * <p><b>Threading:</b> any thread.
 */
final class EpollNative {

    /** epoll_create1 flag: close-on-exec. */
    static final int EPOLL_CLOEXEC = 0x80000;
    /** epoll_ctl ops. */
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    /** Event bits (the same on every Linux architecture). */
    static final int EPOLLIN = 0x001;
    static final int EPOLLOUT = 0x004;
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    /** eventfd flags (== O_NONBLOCK and O_CLOEXEC). */
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;

    /** The binding in use (the process's {@link NativeBinding} kind). */
    private static final EpollCalls CALLS = NativeBinding.load(
            () -> (EpollCalls) Class.forName("dev.pollen.linux.epoll.FfmEpollCalls")
                    .getDeclaredConstructor().newInstance(),
            JnaEpollCalls::new);

    private EpollNative() {
    }

    /** Forces the binding (a no-op after the first call). */
    static void load() {
        // the static initializer did the work
    }

    static int epoll_create1(int flags) {
        return CALLS.epoll_create1(flags);
    }

    /** @param event address of one struct epoll_event (ignored by EPOLL_CTL_DEL) */
    static int epoll_ctl(int epfd, int op, int fd, long event) {
        return CALLS.epoll_ctl(epfd, op, fd, event);
    }

    /** @param events address of an array of maxevents struct epoll_event */
    static int epoll_wait(int epfd, long events, int maxevents, int timeout) {
        return CALLS.epoll_wait(epfd, events, maxevents, timeout);
    }

    static int eventfd(int initval, int flags) {
        return CALLS.eventfd(initval, flags);
    }
}
