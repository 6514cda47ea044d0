package dev.pollen.posix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * {@link PosixCalls} through {@code java.lang.foreign} downcalls (JDK 22+), built from the
 * interface by {@link FfmDowncalls#bind}. Each handle is a {@code static final} constant and is
 * called with {@code invokeExact}, so the JIT inlines the downcall stub; the errno-capturing
 * ones take the calling thread's capture segment. Nothing is allocated per call.
 *
 * <p><b>Threading:</b> any thread.
 */
final class FfmPosixCalls implements PosixCalls {

    private static final Map<String, MethodHandle> H = FfmDowncalls.bind(PosixCalls.class);
    private static final MethodHandle SOCKET = FfmDowncalls.require(H, "socket");
    private static final MethodHandle BIND = FfmDowncalls.require(H, "bind");
    private static final MethodHandle LISTEN = FfmDowncalls.require(H, "listen");
    private static final MethodHandle ACCEPT = FfmDowncalls.require(H, "accept");
    private static final MethodHandle ACCEPT4 = H.get("accept4");
    private static final MethodHandle CONNECT = FfmDowncalls.require(H, "connect");
    private static final MethodHandle GETSOCKOPT = FfmDowncalls.require(H, "getsockopt");
    private static final MethodHandle SETSOCKOPT = FfmDowncalls.require(H, "setsockopt");
    private static final MethodHandle GETSOCKNAME = FfmDowncalls.require(H, "getsockname");
    private static final MethodHandle GETPEERNAME = FfmDowncalls.require(H, "getpeername");
    private static final MethodHandle READ = FfmDowncalls.require(H, "read");
    private static final MethodHandle WRITE = FfmDowncalls.require(H, "write");
    private static final MethodHandle READV = FfmDowncalls.require(H, "readv");
    private static final MethodHandle WRITEV = FfmDowncalls.require(H, "writev");
    private static final MethodHandle RECVFROM = FfmDowncalls.require(H, "recvfrom");
    private static final MethodHandle SENDTO = FfmDowncalls.require(H, "sendto");
    private static final MethodHandle SHUTDOWN = FfmDowncalls.require(H, "shutdown");
    private static final MethodHandle CLOSE = FfmDowncalls.require(H, "close");
    private static final MethodHandle FCNTL = FfmDowncalls.require(H, "fcntl");
    private static final MethodHandle CALLOC = FfmDowncalls.require(H, "calloc");
    private static final MethodHandle FREE = FfmDowncalls.require(H, "free");
    // sendfile(2): Linux's signature; the handle must not be called elsewhere (PosixCalls)
    private static final MethodHandle LSEEK = FfmDowncalls.require(H, "lseek");
    private static final MethodHandle SENDFILE = H.get("sendfile");

    FfmPosixCalls() {
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(FfmDowncalls.state(), domain, type, protocol);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int bind(int fd, long addr, int len) {
        try {
            return (int) BIND.invokeExact(FfmDowncalls.state(), fd, addr, len);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int listen(int fd, int backlog) {
        try {
            return (int) LISTEN.invokeExact(FfmDowncalls.state(), fd, backlog);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int accept(int fd, long addr, long lenPtr) {
        try {
            return (int) ACCEPT.invokeExact(FfmDowncalls.state(), fd, addr, lenPtr);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int accept4(int fd, long addr, long lenPtr, int flags) {
        if (ACCEPT4 == null) {
            throw new UnsupportedOperationException("accept4 is not in this C library");
        }
        try {
            return (int) ACCEPT4.invokeExact(FfmDowncalls.state(), fd, addr, lenPtr, flags);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int connect(int fd, long addr, int len) {
        try {
            return (int) CONNECT.invokeExact(FfmDowncalls.state(), fd, addr, len);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int getsockopt(int fd, int level, int name, long val, long lenPtr) {
        try {
            return (int) GETSOCKOPT.invokeExact(FfmDowncalls.state(), fd, level, name, val, lenPtr);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int setsockopt(int fd, int level, int name, long val, int len) {
        try {
            return (int) SETSOCKOPT.invokeExact(FfmDowncalls.state(), fd, level, name, val, len);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int getsockname(int fd, long addr, long lenPtr) {
        try {
            return (int) GETSOCKNAME.invokeExact(FfmDowncalls.state(), fd, addr, lenPtr);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int getpeername(int fd, long addr, long lenPtr) {
        try {
            return (int) GETPEERNAME.invokeExact(FfmDowncalls.state(), fd, addr, lenPtr);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public long read(int fd, long buf, long count) {
        try {
            return (long) READ.invokeExact(FfmDowncalls.state(), fd, buf, count);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public long write(int fd, long buf, long count) {
        try {
            return (long) WRITE.invokeExact(FfmDowncalls.state(), fd, buf, count);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public long readv(int fd, long iov, int iovcnt) {
        try {
            return (long) READV.invokeExact(FfmDowncalls.state(), fd, iov, iovcnt);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public long writev(int fd, long iov, int iovcnt) {
        try {
            return (long) WRITEV.invokeExact(FfmDowncalls.state(), fd, iov, iovcnt);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public long recvfrom(int fd, long buf, long len, int flags, long addr, long lenPtr) {
        try {
            return (long) RECVFROM.invokeExact(FfmDowncalls.state(), fd, buf, len, flags, addr, lenPtr);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public long sendto(int fd, long buf, long len, int flags, long addr, int alen) {
        try {
            return (long) SENDTO.invokeExact(FfmDowncalls.state(), fd, buf, len, flags, addr, alen);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int shutdown(int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(FfmDowncalls.state(), fd, how);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(FfmDowncalls.state(), fd);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        try {
            return (int) FCNTL.invokeExact(FfmDowncalls.state(), fd, cmd, arg);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public long calloc(long count, long size) {
        try {
            return (long) CALLOC.invokeExact(count, size);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public void free(long address) {
        try {
            FREE.invokeExact(address);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int errno() {
        return FfmDowncalls.errno();
    }

    @Override
    public ByteBuffer view(long address, int bytes) {
        return MemorySegment.ofAddress(address).reinterpret(bytes).asByteBuffer()
                .order(ByteOrder.nativeOrder());
    }

    @Override
    public long baseAddress(ByteBuffer direct) {
        return MemorySegment.ofBuffer(direct).address() - direct.position();
    }

    @Override
    public int pointerSize() {
        return (int) ValueLayout.ADDRESS.byteSize();
    }

    @Override
    public String describe() {
        return "java.lang.foreign (JDK " + Runtime.version().feature() + ")";
    }

    // sendfile(2)

    @Override
    public long lseek(int fd, long offset, int whence) {
        try {
            return (long) LSEEK.invokeExact(FfmDowncalls.state(), fd, offset, whence);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public long sendfile(int outFd, int inFd, long offsetPtr, long count) {
        if (SENDFILE == null) {
            throw new UnsupportedOperationException("sendfile is not in this C library");
        }
        try {
            return (long) SENDFILE.invokeExact(FfmDowncalls.state(), outFd, inFd, offsetPtr, count);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    // splice(2)

    private static final MethodHandle PIPE2 = H.get("pipe2");
    private static final MethodHandle SPLICE = H.get("splice");

    @Override
    public int pipe2(long fds, int flags) {
        if (PIPE2 == null) {
            throw new UnsupportedOperationException("pipe2 is not in this C library");
        }
        try {
            return (int) PIPE2.invokeExact(FfmDowncalls.state(), fds, flags);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public long splice(int fdIn, long offIn, int fdOut, long offOut, long len, int flags) {
        if (SPLICE == null) {
            throw new UnsupportedOperationException("splice is not in this C library");
        }
        try {
            return (long) SPLICE.invokeExact(FfmDowncalls.state(), fdIn, offIn, fdOut, offOut,
                    len, flags);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }
}
