package dev.pollen.posix;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.ByteBuffer;

/**
 * The C library calls of the POSIX socket layer: the one list of the functions and their
 * signatures. Two implementations bind it, chosen once at startup by {@link NativeBinding}:
 * JNA direct mapping (JDK 21+) and {@code java.lang.foreign} downcalls (JDK 22+, where the API
 * is final). The foreign one builds every downcall from this interface by reflection (the method
 * name is the C symbol, {@code int} and {@code long} map to {@code int} and {@code long}, and
 * {@link NoErrno} and {@link Variadic} pick the linker options); a test checks that the JNA
 * natives declare the same names and signatures, so a function is added here first.
 *
 * <p>Conventions (64-bit platforms only): every function returns what the C function returns,
 * -1 on failure with the error number then in {@link #errno()}; pointers are passed as
 * {@code long} addresses (on the LP64 ABIs this layer supports a pointer and a {@code long}
 * travel the same way, so neither binding allocates a pointer object per call);
 * {@code size_t}/{@code ssize_t} are {@code long}; {@code socklen_t} is {@code int}.
 *
 * <p>Methods annotated {@link Helper} are not C functions but the binding's own memory and
 * errno access.
 *
 * <p><b>Threading:</b> any thread (the C functions are thread-safe; errno is per thread).
 */
public interface PosixCalls {

    /** Marks a method that is not a C function (the binding's memory or errno access). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface Helper {
    }

    /**
     * Marks a C function whose errno is never read, so the foreign binding does not capture it.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface NoErrno {
    }

    /** Marks a variadic C function: arguments from {@link #firstVariadicArg} on are variadic. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface Variadic {
        /**
         * The index of the first variadic argument.
         *
         * @return the index
         */
        int firstVariadicArg();
    }

    /**
     * socket(2).
     *
     * @param domain AF_*
     * @param type SOCK_* with flags
     * @param protocol 0
     * @return fd or -1
     */
    int socket(int domain, int type, int protocol);

    /**
     * bind(2).
     *
     * @param fd socket
     * @param addr sockaddr address
     * @param len its length
     * @return 0 or -1
     */
    int bind(int fd, long addr, int len);

    /**
     * listen(2).
     *
     * @param fd socket
     * @param backlog backlog
     * @return 0 or -1
     */
    int listen(int fd, int backlog);

    /**
     * accept(2).
     *
     * @param fd     listening socket
     * @param addr   sockaddr buffer for the peer, or 0
     * @param lenPtr address of a socklen_t holding the buffer size (updated), or 0
     * @return the new fd or -1
     */
    int accept(int fd, long addr, long lenPtr);

    /**
     * accept4(2); only where {@link OsConstants#HAS_ACCEPT4} is true (macOS lacks it, and
     * calling it there throws {@link UnsupportedOperationException}).
     *
     * @param fd     listening socket
     * @param addr   sockaddr buffer for the peer, or 0
     * @param lenPtr socklen_t address, or 0
     * @param flags  SOCK_NONBLOCK | SOCK_CLOEXEC
     * @return the new fd or -1
     */
    int accept4(int fd, long addr, long lenPtr, int flags);

    /**
     * connect(2).
     *
     * @param fd socket
     * @param addr sockaddr address
     * @param len its length
     * @return 0 or -1
     */
    int connect(int fd, long addr, int len);

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
    int getsockopt(int fd, int level, int name, long val, long lenPtr);

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
    int setsockopt(int fd, int level, int name, long val, int len);

    /**
     * getsockname(2).
     *
     * @param fd socket
     * @param addr buffer
     * @param lenPtr socklen_t address
     * @return 0 or -1
     */
    int getsockname(int fd, long addr, long lenPtr);

    /**
     * getpeername(2).
     *
     * @param fd socket
     * @param addr buffer
     * @param lenPtr socklen_t address
     * @return 0 or -1
     */
    int getpeername(int fd, long addr, long lenPtr);

    /**
     * read(2).
     *
     * @param fd fd
     * @param buf address
     * @param count bytes
     * @return bytes read, 0 at EOF, or -1
     */
    long read(int fd, long buf, long count);

    /**
     * write(2).
     *
     * @param fd fd
     * @param buf address
     * @param count bytes
     * @return bytes written or -1
     */
    long write(int fd, long buf, long count);

    /**
     * readv(2).
     *
     * @param fd fd
     * @param iov iovec array address
     * @param iovcnt entries
     * @return bytes or -1
     */
    long readv(int fd, long iov, int iovcnt);

    /**
     * writev(2).
     *
     * @param fd fd
     * @param iov iovec array address
     * @param iovcnt entries
     * @return bytes or -1
     */
    long writev(int fd, long iov, int iovcnt);

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
    long recvfrom(int fd, long buf, long len, int flags, long addr, long lenPtr);

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
    long sendto(int fd, long buf, long len, int flags, long addr, int alen);

    /**
     * shutdown(2).
     *
     * @param fd socket
     * @param how SHUT_*
     * @return 0 or -1
     */
    int shutdown(int fd, int how);

    /**
     * close(2). Its errno is read where a close failure is reported (a kqueue fd).
     *
     * @param fd fd
     * @return 0 or -1
     */
    int close(int fd);

    /**
     * fcntl(2) with an int argument. It is variadic: the foreign binding calls it as such, the
     * JNA binding through a fixed signature where variadic integers travel like fixed ones and
     * through JNA's variadic interface mapping on macOS arm64 (see {@link JnaPosixCalls}).
     *
     * @param fd  fd
     * @param cmd F_*
     * @param arg the argument
     * @return the result or -1
     */
    @Variadic(firstVariadicArg = 2)
    int fcntl(int fd, int cmd, int arg);

    /**
     * calloc(3).
     *
     * @param count elements
     * @param size  element size
     * @return zeroed memory, or 0 when out of memory
     */
    @NoErrno
    long calloc(long count, long size);

    /**
     * free(3).
     *
     * @param address from {@link #calloc}, or 0
     */
    @NoErrno
    void free(long address);

    /**
     * The error number the calling thread's last call through this binding left; meaningful
     * only right after a call that returned -1.
     *
     * @return errno
     */
    @Helper
    int errno();

    /**
     * A direct buffer view of native memory, in the platform's byte order. It does not own the
     * memory.
     *
     * @param address the memory
     * @param bytes   its size
     * @return the view
     */
    @Helper
    ByteBuffer view(long address, int bytes);

    /**
     * The address of index 0 of a direct buffer, whatever its position.
     *
     * @param direct a direct buffer
     * @return its base address
     */
    @Helper
    long baseAddress(ByteBuffer direct);

    /**
     * The size of a native pointer in bytes.
     *
     * @return 8 on the platforms this layer supports
     */
    @Helper
    int pointerSize();

    /**
     * What this binding is, for availability messages, e.g. {@code "java.lang.foreign (JDK 25)"}.
     *
     * @return a short description
     */
    @Helper
    String describe();

    // sendfile(2)

    /**
     * lseek(2). Net.sendfile reads a descriptor's file offset with it ({@code offset} 0,
     * {@code whence} SEEK_CUR) to find a file channel's descriptor.
     *
     * @param fd     fd
     * @param offset the offset
     * @param whence SEEK_SET (0), SEEK_CUR (1) or SEEK_END (2)
     * @return the resulting offset or -1
     */
    long lseek(int fd, long offset, int whence);

    /**
     * sendfile(2) with Linux's signature: {@code ssize_t sendfile(int out_fd, int in_fd,
     * off_t *offset, size_t count)}; it reads from {@code *offset} and advances it, leaving
     * {@code in_fd}'s own offset alone. Linux only: macOS and FreeBSD have a {@code sendfile}
     * with another signature (and the binding's handle then must not be called).
     *
     * @param outFd     the socket
     * @param inFd      the file
     * @param offsetPtr address of an {@code off_t} holding the file offset (updated)
     * @param count     at most this many bytes
     * @return bytes sent, 0 at the end of the file, or -1
     */
    long sendfile(int outFd, int inFd, long offsetPtr, long count);

    // splice(2)

    /**
     * pipe2(2); Linux only here (macOS lacks it: calling it there throws
     * {@link UnsupportedOperationException}). Used for the kernel pipes of splice forwarding.
     *
     * @param fds   address of an {@code int[2]}: read end, write end
     * @param flags O_NONBLOCK | O_CLOEXEC
     * @return 0 or -1
     */
    int pipe2(long fds, int flags);

    /**
     * splice(2); Linux only (elsewhere calling it throws {@link UnsupportedOperationException}).
     *
     * @param fdIn   the source fd
     * @param offIn  address of a loff_t offset, or 0 (always 0 for sockets and pipes)
     * @param fdOut  the destination fd
     * @param offOut address of a loff_t offset, or 0
     * @param len    at most this many bytes
     * @param flags  SPLICE_F_*
     * @return bytes moved, 0 at end of input, or -1
     */
    long splice(int fdIn, long offIn, int fdOut, long offOut, long len, int flags);
}
