package dev.pollen.linux.epoll;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * {@link EpollCalls} through JNA direct mapping (primitive and {@code long}-address arguments
 * only); errno is JNA's per-thread saved value, read through {@link dev.pollen.posix.LibC#errno()}.
 *
 * <p><b>Threading:</b> any thread.
 */
final class JnaEpollCalls implements EpollCalls {

    JnaEpollCalls() {
        N.load();
    }

    @Override
    public int epoll_create1(int flags) {
        return N.epoll_create1(flags);
    }

    @Override
    public int epoll_ctl(int epfd, int op, int fd, long event) {
        return N.epoll_ctl(epfd, op, fd, event);
    }

    @Override
    public int epoll_wait(int epfd, long events, int maxevents, int timeout) {
        return N.epoll_wait(epfd, events, maxevents, timeout);
    }

    @Override
    public int eventfd(int initval, int flags) {
        return N.eventfd(initval, flags);
    }

    /** The direct-mapped natives: one per {@link EpollCalls} function, same name and types. */
    static final class N {
        static {
            Native.register(N.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        private N() {
        }

        static void load() {
            // the static initializer did the work
        }

        static native int epoll_create1(int flags);

        static native int epoll_ctl(int epfd, int op, int fd, long event);

        static native int epoll_wait(int epfd, long events, int maxevents, int timeout);

        static native int eventfd(int initval, int flags);
    }
}
