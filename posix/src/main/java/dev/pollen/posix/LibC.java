package dev.pollen.posix;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The C library's socket and file calls, bound with JNA <em>direct mapping</em>
 * ({@link Native#register(Class, NativeLibrary)}): static native methods whose arguments are
 * primitives, with native memory passed as a {@code long} address. Measured on the build
 * machine (JDK 25), a direct-mapped call adds about 70–130 ns to the system call; an interface
 * mapped one adds 200–300 ns (docs/pollers-native.md), so interface mapping is never used here.
 *
 * <p>Every method returns what the C function returns: -1 on failure, with the error number in
 * {@link Native#getLastError()} (JNA saves {@code errno} right after each direct call, per
 * thread). Read it only when the call returned -1. {@code size_t}/{@code ssize_t} are
 * {@code long} (this layer supports 64-bit platforms only), {@code socklen_t} is {@code int}.
 *
 * <p>{@code accept4} is not here because macOS lacks it (binding a missing symbol fails the
 * whole class); see {@link Accept4}. {@code fcntl} is variadic: calling it through this fixed
 * signature is correct where variadic integer arguments travel like fixed ones (x86_64, Linux
 * and FreeBSD aarch64) but not on macOS arm64 (see {@link Fcntl}).
 *
 * <p><b>Threading:</b> any thread (the C functions are thread-safe; errno is per thread).
 */
public final class LibC {

    static {
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LibC() {
    }

    /**
     * Forces the class to load (and the C library to bind); a no-op afterwards.
     *
     * <p><b>Threading:</b> any thread.
     */
    public static void load() {
        // the static initializer did the work
    }

    /**
     * socket(2).
     *
     * @param domain AF_*
     * @param type SOCK_* with flags
     * @param protocol 0
     * @return fd or -1
     */
    public static native int socket(int domain, int type, int protocol);

    /**
     * bind(2).
     *
     * @param fd socket
     * @param addr sockaddr address
     * @param len its length
     * @return 0 or -1
     */
    public static native int bind(int fd, long addr, int len);

    /**
     * listen(2).
     *
     * @param fd socket
     * @param backlog backlog
     * @return 0 or -1
     */
    public static native int listen(int fd, int backlog);

    /**
     * accept(2).
     *
     * @param fd     listening socket
     * @param addr   sockaddr buffer for the peer, or 0
     * @param lenPtr address of a socklen_t holding the buffer size (updated), or 0
     * @return the new fd or -1
     */
    public static native int accept(int fd, long addr, long lenPtr);

    /**
     * connect(2).
     *
     * @param fd socket
     * @param addr sockaddr address
     * @param len its length
     * @return 0 or -1
     */
    public static native int connect(int fd, long addr, int len);

    /**
     * getsockopt(2).
     *
     * @param fd     socket
     * @param level  SOL_SOCKET, IPPROTO_TCP, ...
     * @param name   the option
     * @param val    value buffer address
     * @param lenPtr address of a socklen_t with the buffer size (updated)
     * @return 0 or -1
     */
    public static native int getsockopt(int fd, int level, int name, long val, long lenPtr);

    /**
     * setsockopt(2).
     *
     * @param fd    socket
     * @param level SOL_SOCKET, IPPROTO_TCP, ...
     * @param name  the option
     * @param val   value address
     * @param len   value length
     * @return 0 or -1
     */
    public static native int setsockopt(int fd, int level, int name, long val, int len);

    /**
     * getsockname(2).
     *
     * @param fd socket
     * @param addr buffer
     * @param lenPtr socklen_t address
     * @return 0 or -1
     */
    public static native int getsockname(int fd, long addr, long lenPtr);

    /**
     * getpeername(2).
     *
     * @param fd socket
     * @param addr buffer
     * @param lenPtr socklen_t address
     * @return 0 or -1
     */
    public static native int getpeername(int fd, long addr, long lenPtr);

    /**
     * read(2).
     *
     * @param fd fd
     * @param buf address
     * @param count bytes
     * @return bytes read, 0 at EOF, or -1
     */
    public static native long read(int fd, long buf, long count);

    /**
     * write(2).
     *
     * @param fd fd
     * @param buf address
     * @param count bytes
     * @return bytes written or -1
     */
    public static native long write(int fd, long buf, long count);

    /**
     * readv(2).
     *
     * @param fd fd
     * @param iov iovec array address
     * @param iovcnt entries
     * @return bytes or -1
     */
    public static native long readv(int fd, long iov, int iovcnt);

    /**
     * writev(2).
     *
     * @param fd fd
     * @param iov iovec array address
     * @param iovcnt entries
     * @return bytes or -1
     */
    public static native long writev(int fd, long iov, int iovcnt);

    /**
     * recvfrom(2).
     *
     * @param fd     socket
     * @param buf    destination address
     * @param len    its size
     * @param flags  MSG_*
     * @param addr   sockaddr buffer for the sender, or 0
     * @param lenPtr socklen_t address (in: buffer size, out: address length), or 0
     * @return bytes received or -1
     */
    public static native long recvfrom(int fd, long buf, long len, int flags, long addr, long lenPtr);

    /**
     * sendto(2).
     *
     * @param fd    socket
     * @param buf   payload address
     * @param len   payload length
     * @param flags MSG_*
     * @param addr  destination sockaddr, or 0 on a connected socket
     * @param alen  its length, or 0
     * @return bytes sent or -1
     */
    public static native long sendto(int fd, long buf, long len, int flags, long addr, int alen);

    /**
     * shutdown(2).
     *
     * @param fd socket
     * @param how SHUT_*
     * @return 0 or -1
     */
    public static native int shutdown(int fd, int how);

    /**
     * close(2).
     *
     * @param fd fd
     * @return 0 or -1
     */
    public static native int close(int fd);

    /**
     * fcntl(2) with an int argument, through a fixed signature. Use {@link Fcntl} instead: it
     * avoids this binding where variadic arguments travel differently (macOS arm64).
     *
     * @param fd  fd
     * @param cmd F_*
     * @param arg the argument
     * @return the result or -1
     */
    static native int fcntl(int fd, int cmd, int arg);
}
