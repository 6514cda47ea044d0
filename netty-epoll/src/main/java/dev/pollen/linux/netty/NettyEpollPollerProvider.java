package dev.pollen.linux.netty;

import dev.pollen.spi.AbstractPollerProvider;
import dev.pollen.spi.Availability;
import dev.pollen.spi.Poller;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.Version;
import java.util.Locale;

/**
 * The {@code netty-epoll} provider: Netty 4.2's native epoll ({@code EpollIoHandler} and its JNI
 * library from {@code netty-transport-native-epoll}) driven by Pollen's loop.
 *
 * <p>Available on Linux when Netty's native library for this architecture loads
 * ({@link Epoll#isAvailable()}); otherwise the reason is Netty's
 * {@link Epoll#unavailabilityCause()}. Only the {@code linux-x86_64} native jar is a dependency,
 * so other architectures report it missing.
 *
 * <p><b>Threading:</b> every method is thread-safe.
 */
public final class NettyEpollPollerProvider extends AbstractPollerProvider {

    /**
     * Above the {@code epoll} poller's 90: {@code auto} picks netty-epoll on Linux wherever
     * Netty's native library loads (the JMH comparison in docs/decisions.md).
     */
    static final int PRIORITY = 100;

    private volatile IoHandlerFactory factory;

    /**
     * Does no native work (see {@link dev.pollen.spi.PollerProvider}).
     *
     * <p><b>Threading:</b> any thread.
     */
    public NettyEpollPollerProvider() {
    }

    /**
     * {@code "netty-epoll"}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the name
     */
    @Override
    public String name() {
        return NettyEpollPoller.NAME;
    }

    /**
     * Whether Netty's native epoll loads here; computed once by {@link #availability()}.
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
            return Availability.unavailable("epoll is Linux-only, this is " + os + " " + arch);
        }
        if (!nettyEpollClassesPresent()) {
            return Availability.unavailable(MISSING_NETTY);
        }
        try {
            if (!Epoll.isAvailable()) {
                return Availability.unavailable("Netty's native epoll did not load on Linux " + arch
                        + " (the dependency ships linux-x86_64 only): " + describe(Epoll.unavailabilityCause()));
            }
            return Availability.available("Linux " + arch + ", Netty " + nettyVersion()
                    + " native epoll (EpollIoHandler over JNI)");
        } catch (LinkageError | RuntimeException e) {
            return Availability.unavailable("Netty's epoll classes are missing or broken: add the Maven "
                    + "dependency " + NETTY_EPOLL_DEPENDENCY + ": " + describe(e));
        }
    }

    /** The artifact that {@code pollen-netty-epoll} depends on for Netty's epoll classes and JNI library. */
    static final String NETTY_EPOLL_DEPENDENCY = "io.netty:netty-transport-native-epoll (classifier linux-x86_64)";

    /** The reason when a user excluded Netty: one line naming what to add. */
    static final String MISSING_NETTY = "Netty is not on the class path: add the Maven dependency "
            + NETTY_EPOLL_DEPENDENCY + " (pollen-netty-epoll brings it unless it was excluded)";

    /** Whether Netty's epoll classes can be loaded, without initialising or linking them. */
    private static boolean nettyEpollClassesPresent() {
        try {
            Class.forName("io.netty.channel.epoll.Epoll", false, NettyEpollPollerProvider.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static String nettyVersion() {
        Version v = Version.identify(Epoll.class.getClassLoader()).get("netty-transport-classes-epoll");
        return v != null ? v.artifactVersion() : "4.2";
    }

    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(String.valueOf(t));
        for (Throwable c = t.getCause(); c != null && sb.length() < 600; c = c.getCause()) {
            sb.append("; caused by ").append(c);
        }
        return sb.toString();
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
     * A new poller (an epoll fd, an eventfd and a timerfd).
     *
     * <p><b>Threading:</b> any thread; the poller is then confined to its loop thread.
     *
     * @return the poller
     * @throws IllegalStateException if unavailable, with the reason
     */
    @Override
    public Poller create() {
        requireAvailable("the netty-epoll poller is unavailable: ");
        IoHandlerFactory f = factory;
        if (f == null) {
            f = EpollIoHandler.newFactory();
            factory = f;
        }
        return new NettyEpollPoller(f);
    }
}
