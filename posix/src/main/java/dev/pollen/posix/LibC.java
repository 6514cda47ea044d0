package dev.pollen.posix;

import java.nio.ByteBuffer;

/**
 * The C library's socket and file calls for the layers above: static methods forwarding to the
 * process's {@link PosixCalls} binding ({@code java.lang.foreign} on JDK 22+, JNA otherwise;
 * {@link NativeBinding} chooses once). The binding is a {@code static final} field, so the JIT
 * sees one implementation and inlines the forwarding.
 *
 * <p>Every method returns what the C function returns: -1 on failure, with the error number in
 * {@link #errno()} (saved per thread right after the call). Read it only when the call returned
 * -1. See {@link PosixCalls} for the argument conventions.
 *
 * <p><b>Threading:</b> any thread (the C functions are thread-safe; errno is per thread).
 */
public final class LibC {

    /** The binding in use. */
    static final PosixCalls CALLS = NativeBinding.posixCalls();

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
     * The error number the calling thread's last failed call left.
     *
     * <p><b>Threading:</b> any thread (per thread).
     *
     * @return errno
     */
    public static int errno() {
        return CALLS.errno();
    }

    /**
     * What the binding is, for availability messages.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return e.g. {@code "java.lang.foreign (JDK 25)"}
     */
    public static String describe() {
        return CALLS.describe();
    }

    /**
     * The size of a native pointer.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return bytes
     */
    public static int pointerSize() {
        return CALLS.pointerSize();
    }

    /**
     * accept4(2); only where {@link OsConstants#HAS_ACCEPT4} is true.
     *
     * @param fd     listening socket
     * @param addr   sockaddr buffer for the peer, or 0
     * @param lenPtr socklen_t address, or 0
     * @param flags  SOCK_NONBLOCK | SOCK_CLOEXEC
     * @return the new fd or -1
     */
    public static int accept4(int fd, long addr, long lenPtr, int flags) {
        return CALLS.accept4(fd, addr, lenPtr, flags);
    }

    static long calloc(long count, long size) {
        return CALLS.calloc(count, size);
    }

    static void free(long address) {
        CALLS.free(address);
    }

    static ByteBuffer view(long address, int bytes) {
        return CALLS.view(address, bytes);
    }

    static long baseAddress(ByteBuffer direct) {
        return CALLS.baseAddress(direct);
    }

    /**
     * socket(2).
     *
     * @param domain AF_*
     * @param type SOCK_* with flags
     * @param protocol 0
     * @return fd or -1
     */
    public static int socket(int domain, int type, int protocol) {
        return CALLS.socket(domain, type, protocol);
    }

    /**
     * bind(2).
     *
     * @param fd socket
     * @param addr sockaddr address
     * @param len its length
     * @return 0 or -1
     */
    public static int bind(int fd, long addr, int len) {
        return CALLS.bind(fd, addr, len);
    }

    /**
     * listen(2).
     *
     * @param fd socket
     * @param backlog backlog
     * @return 0 or -1
     */
    public static int listen(int fd, int backlog) {
        return CALLS.listen(fd, backlog);
    }

    /**
     * accept(2).
     *
     * @param fd     listening socket
     * @param addr   sockaddr buffer for the peer, or 0
     * @param lenPtr address of a socklen_t holding the buffer size (updated), or 0
     * @return the new fd or -1
     */
    public static int accept(int fd, long addr, long lenPtr) {
        return CALLS.accept(fd, addr, lenPtr);
    }

    /**
     * connect(2).
     *
     * @param fd socket
     * @param addr sockaddr address
     * @param len its length
     * @return 0 or -1
     */
    public static int connect(int fd, long addr, int len) {
        return CALLS.connect(fd, addr, len);
    }

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
    public static int getsockopt(int fd, int level, int name, long val, long lenPtr) {
        return CALLS.getsockopt(fd, level, name, val, lenPtr);
    }

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
    public static int setsockopt(int fd, int level, int name, long val, int len) {
        return CALLS.setsockopt(fd, level, name, val, len);
    }

    /**
     * getsockname(2).
     *
     * @param fd socket
     * @param addr buffer
     * @param lenPtr socklen_t address
     * @return 0 or -1
     */
    public static int getsockname(int fd, long addr, long lenPtr) {
        return CALLS.getsockname(fd, addr, lenPtr);
    }

    /**
     * getpeername(2).
     *
     * @param fd socket
     * @param addr buffer
     * @param lenPtr socklen_t address
     * @return 0 or -1
     */
    public static int getpeername(int fd, long addr, long lenPtr) {
        return CALLS.getpeername(fd, addr, lenPtr);
    }

    /**
     * read(2).
     *
     * @param fd fd
     * @param buf address
     * @param count bytes
     * @return bytes read, 0 at EOF, or -1
     */
    public static long read(int fd, long buf, long count) {
        return CALLS.read(fd, buf, count);
    }

    /**
     * write(2).
     *
     * @param fd fd
     * @param buf address
     * @param count bytes
     * @return bytes written or -1
     */
    public static long write(int fd, long buf, long count) {
        return CALLS.write(fd, buf, count);
    }

    /**
     * readv(2).
     *
     * @param fd fd
     * @param iov iovec array address
     * @param iovcnt entries
     * @return bytes or -1
     */
    public static long readv(int fd, long iov, int iovcnt) {
        return CALLS.readv(fd, iov, iovcnt);
    }

    /**
     * writev(2).
     *
     * @param fd fd
     * @param iov iovec array address
     * @param iovcnt entries
     * @return bytes or -1
     */
    public static long writev(int fd, long iov, int iovcnt) {
        return CALLS.writev(fd, iov, iovcnt);
    }

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
    public static long recvfrom(int fd, long buf, long len, int flags, long addr, long lenPtr) {
        return CALLS.recvfrom(fd, buf, len, flags, addr, lenPtr);
    }

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
    public static long sendto(int fd, long buf, long len, int flags, long addr, int alen) {
        return CALLS.sendto(fd, buf, len, flags, addr, alen);
    }

    /**
     * shutdown(2).
     *
     * @param fd socket
     * @param how SHUT_*
     * @return 0 or -1
     */
    public static int shutdown(int fd, int how) {
        return CALLS.shutdown(fd, how);
    }

    /**
     * close(2).
     *
     * @param fd fd
     * @return 0 or -1
     */
    public static int close(int fd) {
        return CALLS.close(fd);
    }

    /**
     * fcntl(2) with an int argument: a true variadic call where the
     * platform needs one (see {@link Fcntl}).
     *
     * @param fd  fd
     * @param cmd F_*
     * @param arg the argument
     * @return the result or -1
     */
    static int fcntl(int fd, int cmd, int arg) {
        return CALLS.fcntl(fd, cmd, arg);
    }

    /** {@code F_DUPFD_CLOEXEC} on Linux. */
    private static final int LINUX_F_DUPFD_CLOEXEC = 1030;

    /**
     * Linux only: a second descriptor for the same open file, close-on-exec
     * ({@code fcntl(fd, F_DUPFD_CLOEXEC, 0)}); a poller that still sends queued bytes after the
     * socket's owner closed it keeps the socket open with it.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param fd an open descriptor
     * @return the new descriptor, or -1 (see {@link #errno()})
     */
    public static int dupCloexec(int fd) {
        return CALLS.fcntl(fd, LINUX_F_DUPFD_CLOEXEC, 0);
    }

    // sendfile(2)

    /**
     * lseek(2).
     *
     * @param fd     fd
     * @param offset the offset
     * @param whence SEEK_*
     * @return the resulting offset or -1
     */
    static long lseek(int fd, long offset, int whence) {
        return CALLS.lseek(fd, offset, whence);
    }

    /**
     * sendfile(2), Linux's signature (see {@link PosixCalls#sendfile}).
     *
     * @param outFd     the socket
     * @param inFd      the file
     * @param offsetPtr address of the {@code off_t} file offset (updated)
     * @param count     at most this many bytes
     * @return bytes sent, 0 at the end of the file, or -1
     */
    static long sendfile(int outFd, int inFd, long offsetPtr, long count) {
        return CALLS.sendfile(outFd, inFd, offsetPtr, count);
    }

    // splice(2)

    /**
     * pipe2(2); Linux only.
     *
     * @param fds   address of an {@code int[2]}
     * @param flags O_* flags
     * @return 0 or -1
     */
    static int pipe2(long fds, int flags) {
        return CALLS.pipe2(fds, flags);
    }

    /**
     * splice(2) between two fds without offsets (sockets and pipes); Linux only.
     *
     * @param fdIn  source
     * @param fdOut destination
     * @param len   at most this many bytes
     * @param flags SPLICE_F_*
     * @return bytes moved, 0 at end of input, or -1
     */
    static long splice(int fdIn, int fdOut, long len, int flags) {
        return CALLS.splice(fdIn, 0, fdOut, 0, len, flags);
    }
}
