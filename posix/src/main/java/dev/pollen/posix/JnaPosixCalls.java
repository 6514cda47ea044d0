package dev.pollen.posix;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link PosixCalls} through JNA <em>direct mapping</em> ({@link Native#register(Class,
 * NativeLibrary)}): static native methods with primitive and {@code long}-address arguments.
 * Measured on the build machine (JDK 25), a direct-mapped call adds about 70–130 ns to the system
 * call; an interface-mapped one 200–300 ns (docs/pollers-native.md), so interface mapping is only
 * used for variadic {@code fcntl} on macOS arm64. JNA saves {@code errno} after every direct
 * call, per thread ({@link Native#getLastError()}).
 *
 * <p>{@code accept4} is bound in its own class, on first use, because macOS lacks it (binding a
 * missing symbol fails the whole class). {@code fcntl} is variadic: calling it through a fixed
 * signature is correct where variadic integer arguments travel like fixed ones (x86_64, Linux and
 * FreeBSD aarch64) but not on macOS arm64, where Apple's ABI puts them on the stack; there it goes
 * through an interface mapping declared with {@code Object...} (a few hundred ns more, once per
 * socket on that platform).
 *
 * <p><b>Threading:</b> any thread.
 */
final class JnaPosixCalls implements PosixCalls {

    private static final boolean VARIADIC_FCNTL = Fcntl.needsVariadicCall(
            System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("mac")
                    ? OsConstants.Os.DARWIN : OsConstants.Os.LINUX,
            System.getProperty("os.arch"));

    JnaPosixCalls() {
        N.load();
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        return N.socket(domain, type, protocol);
    }

    @Override
    public int bind(int fd, long addr, int len) {
        return N.bind(fd, addr, len);
    }

    @Override
    public int listen(int fd, int backlog) {
        return N.listen(fd, backlog);
    }

    @Override
    public int accept(int fd, long addr, long lenPtr) {
        return N.accept(fd, addr, lenPtr);
    }

    @Override
    public int accept4(int fd, long addr, long lenPtr, int flags) {
        try {
            return A4.accept4(fd, addr, lenPtr, flags);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new UnsupportedOperationException("accept4 is not in this C library", e);
        }
    }

    @Override
    public int connect(int fd, long addr, int len) {
        return N.connect(fd, addr, len);
    }

    @Override
    public int getsockopt(int fd, int level, int name, long val, long lenPtr) {
        return N.getsockopt(fd, level, name, val, lenPtr);
    }

    @Override
    public int setsockopt(int fd, int level, int name, long val, int len) {
        return N.setsockopt(fd, level, name, val, len);
    }

    @Override
    public int getsockname(int fd, long addr, long lenPtr) {
        return N.getsockname(fd, addr, lenPtr);
    }

    @Override
    public int getpeername(int fd, long addr, long lenPtr) {
        return N.getpeername(fd, addr, lenPtr);
    }

    @Override
    public long read(int fd, long buf, long count) {
        return N.read(fd, buf, count);
    }

    @Override
    public long write(int fd, long buf, long count) {
        return N.write(fd, buf, count);
    }

    @Override
    public long readv(int fd, long iov, int iovcnt) {
        return N.readv(fd, iov, iovcnt);
    }

    @Override
    public long writev(int fd, long iov, int iovcnt) {
        return N.writev(fd, iov, iovcnt);
    }

    @Override
    public long recvfrom(int fd, long buf, long len, int flags, long addr, long lenPtr) {
        return N.recvfrom(fd, buf, len, flags, addr, lenPtr);
    }

    @Override
    public long sendto(int fd, long buf, long len, int flags, long addr, int alen) {
        return N.sendto(fd, buf, len, flags, addr, alen);
    }

    @Override
    public int shutdown(int fd, int how) {
        return N.shutdown(fd, how);
    }

    @Override
    public int close(int fd) {
        return N.close(fd);
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        return VARIADIC_FCNTL ? VariadicFcntl.LIB.fcntl(fd, cmd, arg) : N.fcntl(fd, cmd, arg);
    }

    @Override
    public long calloc(long count, long size) {
        return N.calloc(count, size);
    }

    @Override
    public void free(long address) {
        N.free(address);
    }

    @Override
    public int errno() {
        return Native.getLastError();
    }

    @Override
    public ByteBuffer view(long address, int bytes) {
        return new Pointer(address).getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
    }

    @Override
    public long baseAddress(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    @Override
    public int pointerSize() {
        return Native.POINTER_SIZE;
    }

    @Override
    public String describe() {
        return "JNA " + Native.VERSION + " (direct mapping)";
    }

    /** The direct-mapped natives: one per {@link PosixCalls} function, same name and types. */
    static final class N {
        static {
            Native.register(N.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        private N() {
        }

        static void load() {
            // the static initializer did the work
        }

        static native int socket(int domain, int type, int protocol);

        static native int bind(int fd, long addr, int len);

        static native int listen(int fd, int backlog);

        static native int accept(int fd, long addr, long lenPtr);

        static native int connect(int fd, long addr, int len);

        static native int getsockopt(int fd, int level, int name, long val, long lenPtr);

        static native int setsockopt(int fd, int level, int name, long val, int len);

        static native int getsockname(int fd, long addr, long lenPtr);

        static native int getpeername(int fd, long addr, long lenPtr);

        static native long read(int fd, long buf, long count);

        static native long write(int fd, long buf, long count);

        static native long readv(int fd, long iov, int iovcnt);

        static native long writev(int fd, long iov, int iovcnt);

        static native long recvfrom(int fd, long buf, long len, int flags, long addr, long lenPtr);

        static native long sendto(int fd, long buf, long len, int flags, long addr, int alen);

        static native int shutdown(int fd, int how);

        static native int close(int fd);

        static native int fcntl(int fd, int cmd, int arg);

        static native long calloc(long count, long size);

        static native void free(long address);

        // sendfile(2)

        static native long lseek(int fd, long offset, int whence);

        static native long sendfile(int outFd, int inFd, long offsetPtr, long count);
    }

    /** accept4 alone, bound on first use (macOS has no such symbol). */
    static final class A4 {
        static {
            Native.register(A4.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        private A4() {
        }

        static native int accept4(int fd, long addr, long lenPtr, int flags);
    }

    /** The variadic binding of fcntl, loaded only on macOS arm64. */
    private static final class VariadicFcntl {
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

    // sendfile(2)

    @Override
    public long lseek(int fd, long offset, int whence) {
        return N.lseek(fd, offset, whence);
    }

    @Override
    public long sendfile(int outFd, int inFd, long offsetPtr, long count) {
        return N.sendfile(outFd, inFd, offsetPtr, count);
    }

    // splice(2)

    @Override
    public int pipe2(long fds, int flags) {
        try {
            return Sp.pipe2(fds, flags);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new UnsupportedOperationException("pipe2 is not in this C library", e);
        }
    }

    @Override
    public long splice(int fdIn, long offIn, int fdOut, long offOut, long len, int flags) {
        try {
            return Sp.splice(fdIn, offIn, fdOut, offOut, len, flags);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new UnsupportedOperationException("splice is not in this C library", e);
        }
    }

    /** pipe2 and splice, Linux only: bound on first use, as {@link A4} (macOS has neither). */
    static final class Sp {
        static {
            Native.register(Sp.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        private Sp() {
        }

        static native int pipe2(long fds, int flags);

        static native long splice(int fdIn, long offIn, int fdOut, long offOut, long len,
                int flags);
    }
}
