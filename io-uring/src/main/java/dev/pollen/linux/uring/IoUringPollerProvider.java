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
import java.util.function.Function;

/**
 * The {@code io_uring} provider: Linux io_uring driven by Pollen's loop, through one of two
 * engines ({@code -Dpollen.io_uring.engine=auto|ffm|netty}, {@value #ENGINE_PROPERTY}):
 * {@code ffm}, Pollen's own ring over {@code java.lang.foreign} (JDK 22+), or {@code netty},
 * Netty 4.2's {@code IoUringIoHandler} and its JNI library
 * ({@code netty-transport-native-io_uring}). {@code auto} (the default) is {@code ffm} on JDK 22
 * and later when its ring sets up, else {@code netty}; the availability line names the engine
 * and why.
 *
 * <p>Available on Linux when the chosen engine sets up a ring (the ffm engine's probe, or
 * Netty's {@link IoUring#isAvailable()}); otherwise the reason is one line: not Linux, a bad
 * engine value, the {@code kernel.io_uring_disabled} sysctl, the kernel's or Netty's cause (an
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

    /** The system property that chooses the engine: {@code auto} (default), {@code ffm} or {@code netty}. */
    static final String ENGINE_PROPERTY = "pollen.io_uring.engine";

    /** The engines. */
    enum Engine {
        /** {@code ffm} on JDK 22+ when its ring sets up, else {@code netty}. */
        AUTO,
        /** Pollen's own ring over {@code java.lang.foreign} (JDK 22+). */
        FFM,
        /** Netty 4.2's {@code IoUringIoHandler}. */
        NETTY
    }

    /**
     * What {@value #ENGINE_PROPERTY} asks for: an engine, or a one-line problem.
     *
     * @param engine  the engine, or null with a problem
     * @param problem what is wrong and what to do, or null
     */
    record EngineChoice(Engine engine, String problem) {
    }

    /**
     * Parses {@value #ENGINE_PROPERTY}.
     *
     * @param value   the property, or null when unset
     * @param feature {@code Runtime.version().feature()}
     * @return the choice
     */
    static EngineChoice chooseEngine(String value, int feature) {
        if (value == null || value.isBlank()) {
            return new EngineChoice(Engine.AUTO, null);
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "auto":
                return new EngineChoice(Engine.AUTO, null);
            case "netty":
                return new EngineChoice(Engine.NETTY, null);
            case "ffm":
                if (feature < 22) {
                    return new EngineChoice(null, "-D" + ENGINE_PROPERTY + "=ffm needs JDK 22 or newer"
                            + " (java.lang.foreign) but this is JDK " + feature + ": use netty or auto");
                }
                return new EngineChoice(Engine.FFM, null);
            default:
                return new EngineChoice(null, "-D" + ENGINE_PROPERTY + "='" + value
                        + "' is not an io_uring engine: use auto, ffm (JDK 22+) or netty, or leave it unset");
        }
    }

    /** Makes the engine of each new poller; set by {@link #detect()}. */
    private volatile Function<IoUringPoller, UringEngine> engines;
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
        EngineChoice choice = chooseEngine(System.getProperty(ENGINE_PROPERTY), Runtime.version().feature());
        if (choice.problem() != null) {
            return Availability.unavailable(choice.problem());
        }
        String why;
        if (choice.engine() == Engine.NETTY) {
            why = "engine netty (-D" + ENGINE_PROPERTY + "=netty)";
        } else if (Runtime.version().feature() < 22) {
            why = "engine netty (JDK " + Runtime.version().feature() + "; the ffm engine needs JDK 22+)";
        } else {
            try {
                Class<?> ffm = Class.forName("dev.pollen.linux.uring.FfmEngine");
                java.lang.reflect.Method probe = ffm.getDeclaredMethod("probe");
                java.lang.reflect.Method make = ffm.getDeclaredMethod("factory");
                probe.setAccessible(true);
                make.setAccessible(true);
                String flags = (String) probe.invoke(null);
                @SuppressWarnings("unchecked")
                Function<IoUringPoller, UringEngine> f = (Function<IoUringPoller, UringEngine>) make.invoke(null);
                engines = f;
                return Availability.available("Linux " + arch + " " + System.getProperty("os.version", "")
                        + ", engine ffm (Pollen's own ring over java.lang.foreign, " + flags
                        + (choice.engine() == Engine.AUTO ? "; auto on JDK " + Runtime.version().feature() : "")
                        + "), readiness by POLL_ADD, sockets through " + LibC.describe() + fallbackNote());
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null
                        ? ite.getCause() : e;
                String reason = whyFfmUnavailable(disabledSysctl(), cause);
                if (choice.engine() == Engine.FFM) {
                    return Availability.unavailable(reason);
                }
                why = "engine netty (auto: " + reason + ")";
            }
        }
        try {
            if (!IoUring.isAvailable()) {
                return Availability.unavailable(whyUnavailable(disabledSysctl(), IoUring.unavailabilityCause(), arch));
            }
            engines = null;
            return Availability.available("Linux " + arch + " " + System.getProperty("os.version", "")
                    + ", " + why + ": Netty " + nettyVersion() + " io_uring (IoUringIoHandler over JNI), "
                    + "readiness by POLL_ADD, sockets through " + LibC.describe() + fallbackNote());
        } catch (LinkageError | RuntimeException e) {
            return Availability.unavailable("Netty's io_uring classes are missing or broken: add the Maven "
                    + "dependency " + DEPENDENCY + ": " + e);
        }
    }

    /**
     * The one-line reason the ffm engine's ring cannot be set up.
     *
     * @param sysctl the value of {@code kernel.io_uring_disabled}, or -1 where it is absent
     * @param cause  what the probe threw
     * @return the reason
     */
    static String whyFfmUnavailable(int sysctl, Throwable cause) {
        String c = causeChain(cause);
        String disabled = disabledReason(sysctl, c);
        if (disabled != null) {
            return disabled;
        }
        return "the ffm engine's io_uring could not be set up (a kernel older than 5.13, a seccomp filter,"
                + " or a container that refuses io_uring_setup): " + c.replace('\n', ' ');
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
        String c = causeChain(cause);
        String disabled = disabledReason(sysctl, c);
        if (disabled != null) {
            return disabled;
        }
        if (!"amd64".equals(arch) && !"x86_64".equals(arch)) {
            return "Netty's io_uring native library did not load on Linux " + arch
                    + " (the dependency ships linux-x86_64 only): " + c;
        }
        return "io_uring could not be set up (a kernel older than 5.9, a seccomp filter, or a container"
                + " that refuses io_uring_setup): " + c;
    }

    /** The reason when {@code kernel.io_uring_disabled} turns io_uring off (1 or 2), else null. */
    private static String disabledReason(int sysctl, String causeChain) {
        if (sysctl == 2) {
            return "io_uring is disabled on this system (sysctl kernel.io_uring_disabled=2)";
        }
        if (sysctl == 1) {
            return "io_uring is disabled for unprivileged processes (sysctl kernel.io_uring_disabled=1): "
                    + causeChain;
        }
        return null;
    }

    /** {@code cause} and its causes, one line, cut after about 400 characters. */
    private static String causeChain(Throwable cause) {
        StringBuilder c = new StringBuilder(String.valueOf(cause));
        for (Throwable t = cause == null ? null : cause.getCause(); t != null && c.length() < 400; t = t.getCause()) {
            c.append("; caused by ").append(t);
        }
        return c.toString();
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
        Function<IoUringPoller, UringEngine> ffm = engines;
        if (ffm != null) {
            return new IoUringPoller(ffm);
        }
        IoHandlerFactory f = factory;
        if (f == null) {
            // Not single-issuer (Netty's default, with DEFER_TASKRUN): that ties the ring to the
            // thread that enabled it, and a Pollen poller is often built on one thread and run
            // on another, and may be closed from a third once its loop thread is gone.
            f = IoUringIoHandler.newFactory(new IoUringIoHandlerConfig().setSingleIssuer(false));
            factory = f;
        }
        IoHandlerFactory nettyFactory = f;
        return new IoUringPoller(p -> new NettyEngine(p, nettyFactory));
    }

    @Override
    public String toString() {
        return "IoUringPollerProvider[" + availability() + "]";
    }
}
