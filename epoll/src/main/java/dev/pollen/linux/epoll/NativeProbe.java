package dev.pollen.linux.epoll;

import dev.pollen.posix.LibC;
import dev.pollen.posix.NativeBinding;
import dev.pollen.posix.OsConstants;
import dev.pollen.spi.Availability;

/**
 * The native half of {@link EpollPollerProvider#probe}: kept in its own class so that the
 * provider itself never links against JNA (a missing JNA is then a clean "unavailable").
 *
 * <p><b>Threading:</b> any thread.
 */
final class NativeProbe {

    private NativeProbe() {
    }

    static Availability run(String arch) {
        LibC.load();
        EpollNative.load();
        if (LibC.pointerSize() != 8) {
            return Availability.unavailable("wrong architecture: a 64-bit JVM is required, this "
                    + "one has " + LibC.pointerSize() * 8 + "-bit pointers");
        }
        int fd = EpollNative.epoll_create1(EpollNative.EPOLL_CLOEXEC);
        if (fd < 0) {
            return Availability.unavailable("epoll_create1 failed: "
                    + OsConstants.LINUX.errno.describe(LibC.errno()));
        }
        LibC.close(fd);
        String fallback = NativeBinding.fallbackReason();
        return Availability.available("Linux " + arch + ", epoll through " + LibC.describe()
                + (fallback == null ? "" : " (" + fallback + ")"));
    }
}
