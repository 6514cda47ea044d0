package dev.pollen.posix;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * accept4(2), bound separately from {@link LibC} because macOS does not have it: this class is
 * only loaded where {@link OsConstants#HAS_ACCEPT4} is true (Linux, FreeBSD).
 *
 * <p><b>Threading:</b> any thread.
 */
final class Accept4 {

    static {
        Native.register(Accept4.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private Accept4() {
    }

    /** Binds accept4 now (a no-op afterwards), so the first accept never loads a class. */
    static void load() {
        // the static initializer did the work
    }

    /**
     * accept4(2).
     *
     * @param fd     listening socket
     * @param addr   sockaddr buffer for the peer, or 0
     * @param lenPtr socklen_t address, or 0
     * @param flags  SOCK_NONBLOCK | SOCK_CLOEXEC
     * @return the new fd or -1
     */
    static native int accept4(int fd, long addr, long lenPtr, int flags);
}
