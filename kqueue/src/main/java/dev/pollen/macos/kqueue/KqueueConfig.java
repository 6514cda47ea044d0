package dev.pollen.macos.kqueue;

import java.util.Locale;

/**
 * Which library provides {@code kqueue()}/{@code kevent()}: {@code -Dpollen.kqueue.library=NAME};
 * and how a child's exit is watched: {@code -Dpollen.kqueue.childExit=auto|evfilt_proc|pidfd}.
 *
 * <p>The default is the C library ({@code c}) on macOS and FreeBSD, and {@code kqueue}
 * (libkqueue) everywhere else, since no other C library has kqueue. JNA finds the library by
 * its usual rules: {@code -Djna.library.path=DIR} points it at a libkqueue that is not on the
 * system library path; an absolute path to the {@code .so} also works.
 *
 * <p><b>Threading:</b> any thread (reads system properties).
 */
public final class KqueueConfig {

    /** The system property naming the kqueue library. */
    public static final String LIBRARY_PROPERTY = "pollen.kqueue.library";

    /**
     * The system property choosing how the poller watches a child's exit
     * ({@code -Dpollen.kqueue.childExit=auto|evfilt_proc|pidfd}, see {@link ChildExit}).
     */
    public static final String CHILD_EXIT_PROPERTY = "pollen.kqueue.childExit";

    /**
     * How a kqueue poller watches the exit of a child started by {@code Net.createSubprocessExec}
     * (the pipes are registered like sockets either way).
     *
     * <p><b>Threading:</b> immutable, any thread.
     */
    public enum ChildExit {
        /**
         * The default: a {@code pidfd} where the system has one (Linux, so libkqueue), else
         * {@link #EVFILT_PROC} (macOS, the BSDs).
         */
        AUTO,
        /**
         * An {@code EVFILT_PROC}/{@code NOTE_EXIT} knote on the child's pid in the poller's own
         * kqueue; {@code waitpid} then reaps the child. Over libkqueue on Linux this is libkqueue's
         * own process filter (itself built on a {@code pidfd}).
         */
        EVFILT_PROC,
        /** A Linux {@code pidfd} watched with {@code EVFILT_READ}, as on the epoll poller. */
        PIDFD
    }

    /**
     * Parses the {@value #CHILD_EXIT_PROPERTY} property.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param value the property's value, or null when unset
     * @return the choice ({@link ChildExit#AUTO} when unset or blank)
     * @throws IllegalArgumentException for another value; the message says which are valid
     */
    public static ChildExit childExit(String value) {
        if (value == null || value.isBlank()) {
            return ChildExit.AUTO;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> ChildExit.AUTO;
            case "evfilt_proc" -> ChildExit.EVFILT_PROC;
            case "pidfd" -> ChildExit.PIDFD;
            default -> throw new IllegalArgumentException("-D" + CHILD_EXIT_PROPERTY + "='" + value
                    + "' is not a way to watch a child's exit: use auto, evfilt_proc or pidfd");
        };
    }

    /**
     * The {@value #CHILD_EXIT_PROPERTY} choice of this JVM.
     *
     * <p><b>Threading:</b> any thread (reads a system property).
     *
     * @return the choice
     * @throws IllegalArgumentException if the property has an unknown value
     */
    public static ChildExit childExit() {
        return childExit(System.getProperty(CHILD_EXIT_PROPERTY));
    }

    private KqueueConfig() {
    }

    /**
     * The library to load for an OS and a property value.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param osName   the {@code os.name} property
     * @param property the {@value #LIBRARY_PROPERTY} property, or null if unset
     * @return the library name
     */
    public static String libraryName(String osName, String property) {
        if (property != null && !property.isBlank()) {
            return property.trim();
        }
        return KqueueTarget.osHasKernelKqueue(osName) ? "c" : "kqueue";
    }

    /**
     * The library to load here, from the system properties.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the library name
     */
    public static String libraryName() {
        return libraryName(System.getProperty("os.name"), System.getProperty(LIBRARY_PROPERTY));
    }

    /**
     * Whether this OS is one where kqueue is the native poller (macOS, the BSDs).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param osName the {@code os.name} property
     * @return true on macOS and the BSDs
     */
    public static boolean isKqueueNativeOs(String osName) {
        String n = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        return n.startsWith("mac") || n.startsWith("darwin") || n.endsWith("bsd")
                || n.startsWith("dragonfly");
    }
}
