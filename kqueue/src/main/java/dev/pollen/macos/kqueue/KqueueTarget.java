package dev.pollen.macos.kqueue;

import java.util.Locale;

/**
 * One kqueue implementation and the facts the poller branches on: its {@code struct kevent}
 * size, its {@code EVFILT_USER} number, and which of libkqueue's deviations from the BSD
 * kernels it has. The socket layer does not come from here: sockets always use the host OS's
 * constants ({@link dev.pollen.posix.OsConstants}), whichever library provides kqueue.
 *
 * <p><b>Threading:</b> immutable, any thread.
 */
public enum KqueueTarget {

    /** The macOS kernel, through libSystem ({@code -Dpollen.kqueue.library=c}). */
    MACOS("macOS kernel kqueue", Kevent.BASE_SIZE, (short) -10, false, false, false, false),

    /**
     * The FreeBSD kernel, through libc. Since FreeBSD 12 the default {@code kevent} symbol takes
     * the 64-byte {@code struct kevent} with {@code uint64_t ext[4]} at the end.
     */
    FREEBSD("FreeBSD kernel kqueue", 64, (short) -11, false, false, false, false),

    /**
     * libkqueue, the userspace kqueue for Linux (and other systems) built on epoll, eventfd and
     * friends ({@code -Dpollen.kqueue.library=kqueue}). Its {@code struct kevent} is the 32-byte
     * one and its filter numbers follow FreeBSD's. It deviates from the kernels in the four
     * ways flagged here; the fifth (returned {@code flags} keep the input bits) needs no flag,
     * because the poller only ever tests single bits of returned flags, and the sixth (closing a
     * kqueue frees its internal descriptors later, on libkqueue's monitoring thread) is handled
     * by {@link JnaKqueue#close}. docs/pollers-kqueue.md lists them with the programs that show
     * them.
     */
    LIBKQUEUE("libkqueue (userspace kqueue)", Kevent.BASE_SIZE, (short) -11, true, true, true, true);

    /** A short human-readable name for messages. */
    public final String description;
    /** Bytes per {@code struct kevent} (the array stride). */
    public final int keventSize;
    /** {@code EVFILT_USER}: -10 on macOS, -11 on FreeBSD and libkqueue. */
    public final short evfiltUser;
    /**
     * {@code EV_ADD|EV_DISABLE} in one change is broken (libkqueue arms the new knote, then
     * disables it as a separate step, so the pair must be sent as two changes).
     */
    public final boolean addDisabledIsBroken;
    /**
     * {@code EV_ADD} of a registration that already exists fails with {@code EV_ERROR} and errno
     * 0 (libkqueue routes it to the filter's modify hook) and leaves the old {@code udata}.
     */
    public final boolean reAddOfLiveFails;
    /**
     * Closing an fd leaves its registrations in place (libkqueue cannot see the close), so a
     * later fd with the same number would inherit them: delete before closing.
     */
    public final boolean closeKeepsRegistrations;
    /**
     * Reporting a socket's error consumes it: libkqueue fills {@code fflags} of an
     * {@code EV_EOF} event by reading {@code SO_ERROR}, which clears the error on Linux, so the
     * socket would then read as a clean end-of-stream (a reset peer) or as a connect still in
     * progress (a refused one). The poller hands the error back to the socket
     * ({@link dev.pollen.posix.FdSource#restoreSocketError}). The kernels copy the error into
     * {@code fflags} and leave it pending on the socket.
     */
    public final boolean eofConsumesSocketError;

    KqueueTarget(String description, int keventSize, short evfiltUser, boolean addDisabledIsBroken,
            boolean reAddOfLiveFails, boolean closeKeepsRegistrations, boolean eofConsumesSocketError) {
        this.description = description;
        this.keventSize = keventSize;
        this.evfiltUser = evfiltUser;
        this.addDisabledIsBroken = addDisabledIsBroken;
        this.reAddOfLiveFails = reAddOfLiveFails;
        this.closeKeepsRegistrations = closeKeepsRegistrations;
        this.eofConsumesSocketError = eofConsumesSocketError;
    }

    /**
     * Whether an OS has kqueue in its C library.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param osName the {@code os.name} property
     * @return true on macOS and FreeBSD
     */
    public static boolean osHasKernelKqueue(String osName) {
        return kernelTarget(osName) != null;
    }

    /**
     * The kqueue that a library name gives on an OS: a name that mentions {@code kqueue} (for
     * example {@code kqueue}, {@code libkqueue.so.0} or a path to it) is libkqueue; any other
     * name (normally {@code c}) is the OS's own kqueue.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param osName  the {@code os.name} property
     * @param library the configured library name
     * @return the target
     * @throws UnsupportedOperationException if the OS has no kernel kqueue and the library is
     *                                       not libkqueue; the message says what to do
     */
    public static KqueueTarget select(String osName, String library) {
        if (isLibkqueue(library)) {
            return LIBKQUEUE;
        }
        KqueueTarget t = kernelTarget(osName);
        if (t == null) {
            throw new UnsupportedOperationException(osName + ": no kqueue in the C library ('"
                    + library + "'); install libkqueue and run with -D"
                    + KqueueConfig.LIBRARY_PROPERTY + "=kqueue");
        }
        return t;
    }

    /**
     * Whether a library name means libkqueue.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param library a library name or path
     * @return true if it mentions {@code kqueue}
     */
    public static boolean isLibkqueue(String library) {
        return library != null && library.toLowerCase(Locale.ROOT).contains("kqueue");
    }

    private static KqueueTarget kernelTarget(String osName) {
        String n = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        if (n.startsWith("mac") || n.startsWith("darwin")) {
            return MACOS;
        }
        if (n.startsWith("freebsd")) {
            return FREEBSD;
        }
        return null;
    }
}
