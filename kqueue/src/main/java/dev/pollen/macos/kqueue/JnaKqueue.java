package dev.pollen.macos.kqueue;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import dev.pollen.posix.LibC;

/**
 * The real {@link KqueueSyscalls}: {@code kqueue()} and {@code kevent()} bound with JNA
 * <em>direct mapping</em> ({@link Native#register(Class, NativeLibrary)}) from the configured
 * library (the C library, or libkqueue), with primitive arguments and native memory passed as
 * {@code long} addresses; never JNA interface mapping (120–500 ns more per call, see
 * docs/pollers-native.md). The kqueue fd is closed with the host C library's {@code close}; on a
 * libkqueue that exports {@code libkqueue_drain_pending_close} (2.7 and later), {@link #close}
 * then waits for it, so the kqueue's internal descriptors are freed before it returns, as the
 * kernels free them at close.
 *
 * <p>A JVM binds one kqueue library, the first one asked for; asking for another afterwards
 * fails (JNA binds a class's natives once).
 *
 * <p><b>Threading:</b> any thread.
 */
public final class JnaKqueue implements KqueueSyscalls {

    private static final Object LOCK = new Object();
    private static String boundLibrary;
    private static Throwable bindFailure;
    private static String failedLibrary;
    /**
     * libkqueue's {@code libkqueue_drain_pending_close}, or null where the library has none (the
     * kernels' C libraries, older libkqueue).
     */
    private static volatile Function drainPendingClose;

    private static final JnaKqueue INSTANCE = new JnaKqueue();

    private JnaKqueue() {
    }

    /**
     * Binds {@code kqueue}/{@code kevent} from {@code library} (once per JVM) and returns the
     * calls.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param library a JNA library name ({@code c}, {@code kqueue}) or a path
     * @return the bound calls
     * @throws UnsatisfiedLinkError  if the library or its symbols cannot be loaded (the message is
     *                               JNA's, listing where it looked)
     * @throws IllegalStateException if another library was bound already
     */
    public static JnaKqueue bind(String library) {
        synchronized (LOCK) {
            if (boundLibrary != null) {
                if (!boundLibrary.equals(library)) {
                    throw new IllegalStateException("kqueue is already bound from library '"
                            + boundLibrary + "'; cannot also bind '" + library + "' in one JVM");
                }
                return INSTANCE;
            }
            if (bindFailure != null && library.equals(failedLibrary)) {
                // JNA would retry the whole search; the answer will not change within this JVM.
                UnsatisfiedLinkError e = new UnsatisfiedLinkError(bindFailure.getMessage());
                e.initCause(bindFailure);
                throw e;
            }
            try {
                NativeLibrary lib = NativeLibrary.getInstance(library);
                Native.register(Calls.class, lib);
                LibC.load();
                LibcClose.load();
                drainPendingClose = optionalFunction(lib, "libkqueue_drain_pending_close");
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                bindFailure = e;
                failedLibrary = library;
                throw e;
            }
            boundLibrary = library;
            return INSTANCE;
        }
    }

    @Override
    public int kqueue() {
        return Calls.kqueue();
    }

    @Override
    public int kevent(int kq, KeventArray changes, int nChanges, KeventArray events, int nEvents,
            Timespec timeout) {
        return Calls.kevent(kq, nChanges == 0 ? 0L : changes.address(), nChanges,
                nEvents == 0 ? 0L : events.address(), nEvents, timeout == null ? 0L : timeout.address());
    }

    private static Function optionalFunction(NativeLibrary lib, String name) {
        try {
            return lib.getFunction(name);
        } catch (UnsatisfiedLinkError absent) {
            return null;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>libkqueue quirk: closing a kqueue fd frees the kqueue's own descriptors (an epoll fd, a
     * pipe end, eventfds) later, on libkqueue's monitoring thread, so for a moment after
     * {@code close} they are still open. Where the library can, this waits for that clean-up
     * (one call per poller close, so JNA's slower reflective call is fine here).
     */
    @Override
    public int close(int fd) {
        int r = LibcClose.close(fd);
        Function drain = drainPendingClose;
        if (r == 0 && drain != null) { // only on success: the drain call would clobber errno
            drain.invokeVoid(new Object[0]);
        }
        return r;
    }

    @Override
    public int lastError() {
        return Native.getLastError();
    }

    /**
     * close(2) through JNA, so that {@link #lastError()} (JNA's saved errno) also covers it
     * whichever binding {@link LibC} uses.
     */
    static final class LibcClose {
        static {
            Native.register(LibcClose.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        private LibcClose() {
        }

        static void load() {
            // the static initializer did the work
        }

        static native int close(int fd);
    }

    /** The direct-mapped natives; bound by {@link #bind(String)}. */
    static final class Calls {
        private Calls() {
        }

        /** kqueue(2). @return the fd or -1 */
        static native int kqueue();

        /**
         * kevent(2).
         *
         * @param kq        kqueue fd
         * @param changes   address of the change list, or 0
         * @param nChanges  number of changes
         * @param events    address of the event list, or 0
         * @param nEvents   room in the event list
         * @param timeout   address of a struct timespec, or 0 to wait without limit
         * @return number of events, or -1
         */
        static native int kevent(int kq, long changes, int nChanges, long events, int nEvents,
                long timeout);
    }
}
