package dev.pollen.linux.epoll;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * glibc's epoll and eventfd calls through JNA direct mapping (primitive and {@code long}-address
 * arguments only). Each returns what the C function returns; on -1 the error is in
 * {@link Native#getLastError()}.
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

    static {
        Native.register(EpollNative.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private EpollNative() {
    }

    /** Forces the binding (a no-op after the first call). */
    static void load() {
        // the static initializer did the work
    }

    static native int epoll_create1(int flags);

    /** @param event address of one struct epoll_event (ignored by EPOLL_CTL_DEL) */
    static native int epoll_ctl(int epfd, int op, int fd, long event);

    /** @param events address of an array of maxevents struct epoll_event */
    static native int epoll_wait(int epfd, long events, int maxevents, int timeout);

    static native int eventfd(int initval, int flags);
}
