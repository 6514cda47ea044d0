package dev.pollen.linux.epoll;

import dev.pollen.posix.NativeBinding;
import dev.pollen.spi.AbstractPollerProvider;
import dev.pollen.spi.Availability;
import dev.pollen.spi.Poller;
import java.util.Locale;

/**
 * The {@code epoll} provider: Linux epoll ({@link EpollPoller}) through {@code java.lang.foreign}
 * on JDK 22+ or JNA direct mapping ({@link NativeBinding}, {@code -Dpollen.native=ffm|jna}).
 *
 * <p>Available on Linux x86_64 and aarch64 when the binding loads and {@code epoll_create1}
 * works; otherwise the reason says which of "not Linux", "wrong architecture", a
 * {@code pollen.native} value this JVM cannot honour, or "library not loadable" applies. Priority 90, just below {@code netty-epoll} (see {@link #priority()}).
 *
 * <p><b>Threading:</b> every method is thread-safe. The constructor does no native work.
 */
public final class EpollPollerProvider extends AbstractPollerProvider {

    /** The provider name: {@code -Dpollen.poller=epoll}. */
    public static final String NAME = "epoll";

    /** Creates the provider (no native work; see {@link #availability()}). */
    public EpollPollerProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected Availability detect() {
        return probe(System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    /**
     * Decides availability for an OS and architecture; only loads native code when both fit.
     *
     * @param osName the {@code os.name} value
     * @param arch   the {@code os.arch} value
     * @return the verdict; never throws
     */
    static Availability probe(String osName, String arch) {
        if (osName == null || !osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Availability.unavailable("not Linux (os.name=" + osName
                    + "): epoll exists only on Linux");
        }
        if (EpollEventLayout.forArch(arch) == null) {
            return Availability.unavailable("wrong architecture: " + arch
                    + " (Pollen's epoll supports x86_64 and aarch64)");
        }
        String problem = NativeBinding.requested().problem();
        if (problem != null) {
            return Availability.unavailable(problem);
        }
        try {
            return NativeProbe.run(arch);
        } catch (Throwable t) {
            // NoClassDefFoundError (JNA missing), UnsatisfiedLinkError (libjnidispatch or a
            // symbol missing), IllegalCallerException (native access denied), or anything else
            // the native load throws.
            return Availability.unavailable("library not loadable: could not bind libc's "
                    + "epoll functions: " + t);
        }
    }

    /**
     * 90: just below netty-epoll, which {@code auto} prefers where Netty's native library loads
     * (docs/decisions.md); epoll is {@code auto}'s choice on Linux where it does not (e.g. an
     * architecture Netty ships no native library for).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return 90
     */
    @Override
    public int priority() {
        return 90;
    }

    @Override
    public Poller create() {
        requireAvailable("the epoll poller is unavailable: ");
        return new EpollPoller();
    }

    @Override
    public String toString() {
        return "EpollPollerProvider[" + availability() + "]";
    }
}
