package dev.pollen.macos.kqueue;

import com.sun.jna.Native;
import dev.pollen.posix.OsConstants;
import dev.pollen.spi.AbstractPollerProvider;
import dev.pollen.spi.Availability;
import dev.pollen.spi.Poller;

/**
 * The {@code kqueue} provider: {@link KqueuePoller} over the library named by
 * {@code -Dpollen.kqueue.library} ({@link KqueueConfig}). Priority 100 on macOS and the BSDs, so
 * {@code auto} picks it there, and 40 elsewhere (on Linux over libkqueue it is a second choice
 * after epoll).
 *
 * <p><b>Threading:</b> every method is thread-safe.
 */
public final class KqueuePollerProvider extends AbstractPollerProvider {

    /** Priority where kqueue is the platform's poller. */
    static final int NATIVE_PRIORITY = 100;
    /** Priority elsewhere (libkqueue emulates kqueue on top of the platform's poller). */
    static final int EMULATED_PRIORITY = 40;

    /**
     * Makes the provider; does no native work.
     *
     * <p><b>Threading:</b> any thread.
     */
    public KqueuePollerProvider() {
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return {@code "kqueue"}
     */
    @Override
    public String name() {
        return KqueuePoller.NAME;
    }

    /**
     * Loads the configured library and opens (and closes) one kqueue; called once by
     * {@link #availability()}.
     *
     * <p><b>Threading:</b> any thread; never throws.
     *
     * @return the verdict
     */
    @Override
    protected Availability detect() {
        try {
            return KqueueProbe.probe(System.getProperty("os.name"), KqueueConfig.libraryName(),
                    Native.POINTER_SIZE, JnaKqueue::bind);
        } catch (Throwable t) { // e.g. JNA itself missing: availability must never throw
            return Availability.unavailable("kqueue probe failed: " + t);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return 100 on macOS and the BSDs, 40 elsewhere
     */
    @Override
    public int priority() {
        return KqueueConfig.isKqueueNativeOs(System.getProperty("os.name")) ? NATIVE_PRIORITY
                : EMULATED_PRIORITY;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Its children's exits are watched as {@code -Dpollen.kqueue.childExit} says
     * ({@link KqueueConfig#childExit()}).
     *
     * <p><b>Threading:</b> any thread; the poller is then confined to the thread that polls it.
     *
     * @throws IllegalArgumentException if {@code -Dpollen.kqueue.childExit} has an unknown value
     */
    @Override
    public Poller create() {
        requireAvailable("the kqueue poller is not available: ");
        String os = System.getProperty("os.name");
        String library = KqueueConfig.libraryName();
        KqueueConfig.ChildExit childExit = KqueueConfig.childExit();
        return new KqueuePoller(JnaKqueue.bind(library), KqueueTarget.select(os, library),
                OsConstants.forOsName(os), KqueuePoller.DEFAULT_CHANGES, KqueuePoller.DEFAULT_EVENTS,
                childExit);
    }
}
