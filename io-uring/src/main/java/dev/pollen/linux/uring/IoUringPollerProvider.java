package dev.pollen.linux.uring;

import dev.pollen.posix.LibC;
import dev.pollen.posix.NativeBinding;
import dev.pollen.spi.AbstractPollerProvider;
import dev.pollen.spi.Availability;
import dev.pollen.spi.Poller;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.util.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code io_uring} provider: Linux io_uring through Netty 4.2's {@code IoUringIoHandler} and
 * its JNI library ({@code netty-transport-native-io_uring}), driven by Pollen's loop.
 *
 * <p>Available on Linux when Netty's native library loads and its probe sets up a ring
 * ({@link IoUring#isAvailable()}); otherwise the reason is one line: not Linux, the
 * {@code kernel.io_uring_disabled} sysctl, Netty's {@link IoUring#unavailabilityCause()} (an
 * old kernel, a seccomp filter that refuses {@code io_uring_setup}, a missing native library), or
 * a {@code -Dpollen.native} the POSIX sockets cannot honour.
 *
 * <p>Priority {@value #PRIORITY}: below netty-epoll and epoll, so {@code auto} does not pick it;
 * the measurements behind that are in docs/pollers-io_uring.md. Select it by name
 * ({@code -Dpollen.poller=io_uring}).
 *
 * <p><b>Threading:</b> every method is thread-safe.
 */
public final class IoUringPollerProvider extends AbstractPollerProvider {

    /** Below epoll (90) and netty-epoll (100): chosen by name only (see the class comment). */
    static final int PRIORITY = 80;

    /** The sysctl that turns io_uring off for everyone (2) or for unprivileged processes (1). */
    static final Path DISABLED_SYSCTL = Path.of("/proc/sys/kernel/io_uring_disabled");

    private volatile IoHandlerFactory factory;

    /**
     * Does no native work (see {@link dev.pollen.spi.PollerProvider}).
     *
     * <p><b>Threading:</b> any thread.
     */
    public IoUringPollerProvider() {
    }

    /**
     * {@code "io_uring"}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the name
     */
    @Override
    public String name() {
        return IoUringPoller.NAME;
    }

    /**
     * Whether a ring can be set up here; computed once by {@link #availability()}.
     *
     * <p><b>Threading:</b> any thread; never throws.
     *
     * @return the verdict
     */
    @Override
    protected Availability detect() {
        String os = System.getProperty("os.name", "?");
        String arch = System.getProperty("os.arch", "?");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Availability.unavailable("io_uring is Linux-only, this is " + os + " " + arch);
        }
        if (!classesPresent()) {
            return Availability.unavailable(MISSING_NETTY);
        }
        String socketsProblem = socketsProblem();
        if (socketsProblem != null) {
            return Availability.unavailable(socketsProblem);
        }
        try {
            if (!IoUring.isAvailable()) {
                return Availability.unavailable(whyUnavailable(disabledSysctl(), IoUring.unavailabilityCause(), arch));
            }
            return Availability.available("Linux " + arch + " " + System.getProperty("os.version", "")
                    + ", Netty " + nettyVersion() + " io_uring (IoUringIoHandler over JNI), readiness by POLL_ADD, "
                    + "sockets through " + LibC.describe() + fallbackNote());
        } catch (LinkageError | RuntimeException e) {
            return Availability.unavailable("Netty's io_uring classes are missing or broken: add the Maven "
                    + "dependency " + DEPENDENCY + ": " + e);
        }
    }

    /**
     * Why the POSIX sockets ({@code pollen-posix}) cannot reach libc here ({@code -Dpollen.native}
     * asks for what this JVM cannot do, or the binding fails to load), or null.
     */
    private static String socketsProblem() {
        String problem = NativeBinding.requested().problem();
        if (problem != null) {
            return problem;
        }
        try {
            LibC.describe(); // chooses and loads the binding
            return null;
        } catch (LinkageError | RuntimeException e) {
            return "the POSIX sockets (pollen-posix) could not bind libc: " + e;
        }
    }

    /** Why the default java.lang.foreign binding fell back to JNA, as " (...)", or "". */
    private static String fallbackNote() {
        String fallback = NativeBinding.fallbackReason();
        return fallback == null ? "" : " (" + fallback + ")";
    }

    /**
     * The one-line reason io_uring is unavailable on Linux.
     *
     * @param sysctl the value of {@code kernel.io_uring_disabled}, or -1 where it is absent
     * @param cause  Netty's {@link IoUring#unavailabilityCause()}
     * @param arch   {@code os.arch}
     * @return the reason
     */
    static String whyUnavailable(int sysctl, Throwable cause, String arch) {
        if (sysctl == 2) {
            return "io_uring is disabled on this system (sysctl kernel.io_uring_disabled=2)";
        }
        String c = String.valueOf(cause);
        for (Throwable t = cause == null ? null : cause.getCause(); t != null && c.length() < 400; t = t.getCause()) {
            c += "; caused by " + t;
        }
        if (sysctl == 1) {
            return "io_uring is disabled for unprivileged processes (sysctl kernel.io_uring_disabled=1): " + c;
        }
        if (!"amd64".equals(arch) && !"x86_64".equals(arch)) {
            return "Netty's io_uring native library did not load on Linux " + arch
                    + " (the dependency ships linux-x86_64 only): " + c;
        }
        return "io_uring could not be set up (a kernel older than 5.9, a seccomp filter, or a container"
                + " that refuses io_uring_setup): " + c;
    }

    /** {@code kernel.io_uring_disabled}, or -1 where the kernel has no such sysctl (before 6.6). */
    static int disabledSysctl() {
        try {
            return Integer.parseInt(Files.readString(DISABLED_SYSCTL).trim());
        } catch (IOException | NumberFormatException | SecurityException e) {
            return -1;
        }
    }

    /** The artifact that {@code pollen-io-uring} depends on for Netty's io_uring classes and JNI library. */
    static final String DEPENDENCY = "io.netty:netty-transport-native-io_uring (classifier linux-x86_64)";

    /** The reason when a user excluded Netty: one line naming what to add. */
    static final String MISSING_NETTY = "Netty's io_uring transport is not on the class path: add the Maven "
            + "dependency " + DEPENDENCY + " (pollen-io-uring brings it unless it was excluded)";

    private static boolean classesPresent() {
        try {
            Class.forName("io.netty.channel.uring.IoUring", false, IoUringPollerProvider.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static String nettyVersion() {
        Version v = Version.identify(IoUring.class.getClassLoader()).get("netty-transport-classes-io_uring");
        return v != null ? v.artifactVersion() : "4.2";
    }

    /**
     * {@value #PRIORITY}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the priority for {@code auto}
     */
    @Override
    public int priority() {
        return PRIORITY;
    }

    /**
     * A new poller (a ring and an eventfd).
     *
     * <p><b>Threading:</b> any thread; the poller is then confined to its loop thread.
     *
     * @return the poller
     * @throws IllegalStateException if unavailable, with the reason
     */
    @Override
    public Poller create() {
        requireAvailable("the io_uring poller is unavailable: ");
        IoHandlerFactory f = factory;
        if (f == null) {
            // Not single-issuer (Netty's default, with DEFER_TASKRUN): that ties the ring to the
            // thread that enabled it, and a Pollen poller is often built on one thread and run
            // on another, and may be closed from a third once its loop thread is gone.
            f = IoUringIoHandler.newFactory(new IoUringIoHandlerConfig().setSingleIssuer(false));
            factory = f;
        }
        return new IoUringPoller(f);
    }

    @Override
    public String toString() {
        return "IoUringPollerProvider[" + availability() + "]";
    }
}
