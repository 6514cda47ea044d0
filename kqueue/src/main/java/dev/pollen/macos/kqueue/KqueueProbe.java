package dev.pollen.macos.kqueue;

import dev.pollen.posix.OsConstants;
import dev.pollen.spi.Availability;
import java.util.function.Function;

/**
 * Decides whether the kqueue poller can run here, and says why in words a user can act on.
 *
 * <p>Available when the JVM is 64-bit, the host OS has a socket constants table, the configured
 * library loads with JNA and {@code kqueue()} returns a descriptor. On Linux without libkqueue
 * the reason names the library property and JNA's own error.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
final class KqueueProbe {

    private KqueueProbe() {
    }

    /**
     * Probes.
     *
     * @param osName      the {@code os.name} property
     * @param library     the configured library ({@link KqueueConfig#libraryName()})
     * @param pointerSize the JVM's native pointer size in bytes
     * @param binder      loads the library and returns its calls; may throw
     * @return the verdict; never throws
     */
    public static Availability probe(String osName, String library, int pointerSize,
            Function<String, KqueueSyscalls> binder) {
        if (pointerSize != 8) {
            return Availability.unavailable("the kqueue poller needs a 64-bit JVM (it lays out the "
                    + "64-bit struct kevent); this one has " + (pointerSize * 8) + "-bit pointers");
        }
        KqueueTarget target;
        try {
            target = KqueueTarget.select(osName, library);
        } catch (UnsupportedOperationException e) {
            return Availability.unavailable(e.getMessage());
        }
        OsConstants os;
        try {
            os = OsConstants.forOsName(osName);
        } catch (UnsupportedOperationException e) {
            return Availability.unavailable("kqueue needs the POSIX socket layer, which has no table "
                    + "for this OS: " + e.getMessage());
        }
        KqueueSyscalls sys;
        try {
            sys = binder.apply(library);
        } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError, IllegalStateException
            return Availability.unavailable(notLoadable(osName, library, target, e));
        }
        int fd;
        try {
            fd = sys.kqueue();
        } catch (Throwable e) {
            return Availability.unavailable("kqueue() from library '" + library + "' failed: " + e);
        }
        if (fd < 0) {
            return Availability.unavailable("kqueue() from library '" + library + "' failed: "
                    + os.errno.describe(sys.lastError()));
        }
        sys.close(fd);
        return Availability.available(target.description + " via JNA from library '" + library
                + "' (EVFILT_USER " + target.evfiltUser + ", struct kevent " + target.keventSize
                + " bytes)");
    }

    private static String notLoadable(String osName, String library, KqueueTarget target, Throwable e) {
        String jna = oneLine(e.getMessage() == null ? e.toString() : e.getMessage());
        if (target == KqueueTarget.LIBKQUEUE && !KqueueTarget.osHasKernelKqueue(osName)) {
            return osName + ": no kqueue in libc; install libkqueue and run with -D"
                    + KqueueConfig.LIBRARY_PROPERTY + "=kqueue (add -Djna.library.path=DIR if it is "
                    + "not on the system library path) (library '" + library + "' not loadable here: "
                    + jna + ")";
        }
        return "kqueue library '" + library + "' not loadable here (-D" + KqueueConfig.LIBRARY_PROPERTY
                + "): " + jna;
    }

    private static String oneLine(String s) {
        String t = s.replaceAll(":\\s*\\R\\s*", ": ").replaceAll("\\s*\\R\\s*", "; ").trim();
        return t.length() > 400 ? t.substring(0, 400) + "..." : t;
    }
}
