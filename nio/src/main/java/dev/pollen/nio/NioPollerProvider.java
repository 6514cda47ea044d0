package dev.pollen.nio;

import dev.pollen.spi.AbstractPollerProvider;
import dev.pollen.spi.Availability;
import dev.pollen.spi.Poller;
import java.nio.channels.spi.SelectorProvider;

/**
 * The {@code nio} provider: the portable fallback on {@link java.nio.channels.Selector},
 * available on every OS the JDK runs on, with the lowest priority (10) so that {@code auto}
 * prefers a native poller when one is available.
 *
 * <p><b>Threading:</b> every method is thread-safe.
 */
public final class NioPollerProvider extends AbstractPollerProvider {

    /** The provider name, for {@code -Dpollen.poller=nio}. */
    public static final String NAME = "nio";

    /** The priority: the portable fallback's. */
    public static final int PRIORITY = 10;

    /**
     * For {@link java.util.ServiceLoader}; does no work.
     *
     * <p><b>Threading:</b> any thread.
     */
    public NioPollerProvider() {
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return {@value #NAME}
     */
    @Override
    public String name() {
        return NAME;
    }

    /**
     * Always available; the reason names the JDK and its selector implementation, e.g.
     * {@code "java.nio.channels.Selector (JDK 25+36-LTS, sun.nio.ch.EPollSelectorProvider)"}.
     *
     * <p><b>Threading:</b> any thread; called once by {@link #availability()}.
     *
     * @return the verdict; never throws
     */
    @Override
    protected Availability detect() {
        try {
            return Availability.available("java.nio.channels.Selector (JDK " + Runtime.version()
                    + ", " + SelectorProvider.provider().getClass().getName() + ")");
        } catch (RuntimeException | Error e) {
            // Only a broken -Djava.nio.channels.spi.SelectorProvider setting gets here.
            return Availability.unavailable(
                    "no usable java.nio.channels.spi.SelectorProvider: " + e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return {@value #PRIORITY}
     */
    @Override
    public int priority() {
        return PRIORITY;
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Threading:</b> any thread; the poller is then confined to the thread that polls it.
     */
    @Override
    public Poller create() {
        requireAvailable("poller " + NAME + " is unavailable: ");
        return new NioPoller();
    }

    @Override
    public String toString() {
        return "NioPollerProvider[" + availability().reason() + "]";
    }
}
