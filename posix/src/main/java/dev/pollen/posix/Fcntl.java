package dev.pollen.posix;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * fcntl(2), which is variadic. On x86_64, and on Linux/FreeBSD aarch64, a variadic int travels
 * in the same register as a fixed one, so the direct-mapped fixed signature in {@link LibC} is
 * correct and cheap. Apple's arm64 ABI passes variadic arguments on the stack instead, so there
 * the call goes through a JNA interface mapping declared with {@code Object...}, which JNA
 * marshals as a true variadic call. It costs a few hundred nanoseconds more, and is only used
 * on macOS arm64 to make a new socket non-blocking and close-on-exec (once per socket, never
 * per read or write).
 *
 * <p><b>Threading:</b> any thread.
 */
final class Fcntl {

    private Fcntl() {
    }

    /**
     * Whether fcntl must be called as a variadic function through JNA's interface mapping.
     *
     * @param os   the OS
     * @param arch the {@code os.arch} value
     * @return true on macOS arm64
     */
    static boolean needsVariadicCall(OsConstants.Os os, String arch) {
        return os == OsConstants.Os.DARWIN && ("aarch64".equals(arch) || "arm64".equals(arch));
    }

    private static final boolean VARIADIC = needsVariadicCall(OsConstants.current().os,
            System.getProperty("os.arch"));

    /**
     * fcntl(fd, cmd, arg).
     *
     * @param fd  the fd
     * @param cmd F_SETFL, F_SETFD, ...
     * @param arg the int argument
     * @return the result, or -1 with errno in {@link Native#getLastError()}
     */
    static int fcntl(int fd, int cmd, int arg) {
        return VARIADIC ? Variadic.LIB.fcntl(fd, cmd, arg) : LibC.fcntl(fd, cmd, arg);
    }

    /** The variadic binding, loaded only when used. */
    private static final class Variadic {
        static final VarargsLibC LIB = Native.load(Platform.C_LIBRARY_NAME, VarargsLibC.class);
    }

    /** JNA interface mapping of variadic fcntl; public because JNA proxies it. */
    public interface VarargsLibC extends Library {
        /**
         * fcntl(2).
         *
         * @param fd   the fd
         * @param cmd  the command
         * @param args the variadic argument
         * @return the result or -1
         */
        int fcntl(int fd, int cmd, Object... args);
    }
}
