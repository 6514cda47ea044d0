package dev.pollen.linux.epoll;

import dev.pollen.posix.FfmDowncalls;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * {@link EpollCalls} through {@code java.lang.foreign} downcalls (JDK 22+), built from the
 * interface by {@link FfmDowncalls#bind}; errno lands in the same per-thread capture segment as
 * the socket calls', so {@link dev.pollen.posix.LibC#errno()} reads it. Nothing is allocated per
 * call; epoll_wait blocks, so no handle is critical.
 *
 * <p><b>Threading:</b> any thread.
 */
final class FfmEpollCalls implements EpollCalls {

    private static final Map<String, MethodHandle> H = FfmDowncalls.bind(EpollCalls.class);
    private static final MethodHandle EPOLL_CREATE1 = FfmDowncalls.require(H, "epoll_create1");
    private static final MethodHandle EPOLL_CTL = FfmDowncalls.require(H, "epoll_ctl");
    private static final MethodHandle EPOLL_WAIT = FfmDowncalls.require(H, "epoll_wait");
    private static final MethodHandle EVENTFD = FfmDowncalls.require(H, "eventfd");

    FfmEpollCalls() {
    }

    @Override
    public int epoll_create1(int flags) {
        try {
            return (int) EPOLL_CREATE1.invokeExact(FfmDowncalls.state(), flags);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int epoll_ctl(int epfd, int op, int fd, long event) {
        try {
            return (int) EPOLL_CTL.invokeExact(FfmDowncalls.state(), epfd, op, fd, event);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int epoll_wait(int epfd, long events, int maxevents, int timeout) {
        try {
            return (int) EPOLL_WAIT.invokeExact(FfmDowncalls.state(), epfd, events, maxevents,
                    timeout);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int eventfd(int initval, int flags) {
        try {
            return (int) EVENTFD.invokeExact(FfmDowncalls.state(), initval, flags);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }
}
