package dev.pollen.macos.kqueue;

/**
 * The parts of {@code struct kevent} and its flags that are the same on every kqueue this
 * module supports (macOS, FreeBSD, libkqueue on Linux); what differs per OS or library lives in
 * {@link KqueueTarget}.
 *
 * <p>The 64-bit {@code struct kevent} starts with these 32 bytes everywhere:
 * <pre>
 *   0  uintptr_t ident     the fd (or, for EVFILT_USER, an arbitrary id)
 *   8  int16_t   filter    EVFILT_READ, EVFILT_WRITE, EVFILT_USER, ...
 *  10  uint16_t  flags     EV_ADD, EV_DELETE, ... on input; EV_EOF, EV_ERROR on output
 *  12  uint32_t  fflags    filter flags (NOTE_TRIGGER for EVFILT_USER)
 *  16  int64_t   data      filter data; the errno of a failed change when EV_ERROR is set
 *  24  void*     udata     opaque, returned as given
 * </pre>
 * FreeBSD 12+ appends {@code uint64_t ext[4]} (64 bytes in all), see
 * {@link KqueueTarget#keventSize}.
 *
 * <p><b>Threading:</b> constants only, any thread.
 */
public final class Kevent {

    /** Offset of {@code ident}. */
    public static final int IDENT = 0;
    /** Offset of {@code filter} (a short). */
    public static final int FILTER = 8;
    /** Offset of {@code flags} (an unsigned short). */
    public static final int FLAGS = 10;
    /** Offset of {@code fflags} (an unsigned int). */
    public static final int FFLAGS = 12;
    /** Offset of {@code data}. */
    public static final int DATA = 16;
    /** Offset of {@code udata}. */
    public static final int UDATA = 24;
    /** Size of the common part; the whole struct on macOS and libkqueue. */
    public static final int BASE_SIZE = 32;

    /** The READ filter (same number everywhere). */
    public static final short EVFILT_READ = -1;
    /** The WRITE filter (same number everywhere). */
    public static final short EVFILT_WRITE = -2;
    /**
     * The process filter, {@code ident} a pid (-5 on macOS, FreeBSD and libkqueue alike; on Linux
     * libkqueue builds it on a {@code pidfd}).
     */
    public static final short EVFILT_PROC = -5;

    /** Add the event (enabled unless EV_DISABLE is also given). */
    public static final int EV_ADD = 0x0001;
    /** Delete the event. */
    public static final int EV_DELETE = 0x0002;
    /** Enable a disabled event. */
    public static final int EV_ENABLE = 0x0004;
    /** Disable an event: it stays registered but is not reported. */
    public static final int EV_DISABLE = 0x0008;
    /** Report the event once, then delete it. */
    public static final int EV_ONESHOT = 0x0010;
    /** Reset the event's state once it has been reported (edge-like). */
    public static final int EV_CLEAR = 0x0020;
    /** Return a receipt for every change. */
    public static final int EV_RECEIPT = 0x0040;
    /** Output: the change failed, {@code data} holds the errno. */
    public static final int EV_ERROR = 0x4000;
    /** Output: end of file (peer closed, or socket shut down for reading). */
    public static final int EV_EOF = 0x8000;

    /** EVFILT_USER fflags: trigger the user event. */
    public static final int NOTE_TRIGGER = 0x01000000;
    /**
     * EVFILT_PROC fflags: report the process's exit (0x80000000 on macOS, FreeBSD and libkqueue).
     * The exit is reported once (the kernels and libkqueue make the knote {@code EV_ONESHOT});
     * the process stays a zombie until {@code waitpid} reaps it.
     */
    public static final int NOTE_EXIT = 0x80000000;

    /** Size of a 64-bit {@code struct timespec}: {@code time_t tv_sec; long tv_nsec;}. */
    public static final int TIMESPEC_SIZE = 16;

    private Kevent() {
    }

    /**
     * A readable rendering of a flags word, for messages and test failures.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param flags the flags
     * @return e.g. {@code "EV_ADD|EV_DISABLE"}, or {@code "0"}
     */
    public static String flagsToString(int flags) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"EV_ADD", "EV_DELETE", "EV_ENABLE", "EV_DISABLE", "EV_ONESHOT", "EV_CLEAR",
            "EV_RECEIPT"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                sb.append(sb.isEmpty() ? "" : "|").append(names[i]);
            }
        }
        if ((flags & EV_ERROR) != 0) {
            sb.append(sb.isEmpty() ? "" : "|").append("EV_ERROR");
        }
        if ((flags & EV_EOF) != 0) {
            sb.append(sb.isEmpty() ? "" : "|").append("EV_EOF");
        }
        return sb.isEmpty() ? "0" : sb.toString();
    }
}
