package dev.pollen.macos.kqueue;

import java.util.Locale;

/**
 * Which library provides {@code kqueue()}/{@code kevent()}: {@code -Dpollen.kqueue.library=NAME}.
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
