package dev.pollen.macos.kqueue;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.posix.OsConstants;
import dev.pollen.spi.Poller;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Pollers on the strict libkqueue emulation for {@link EmulatedKqueueKit} and other tests, and the
 * check that none of them sent a change the real libkqueue mishandles.
 *
 * <p><b>Threading:</b> any thread.
 */
final class Emulated {

    private final List<EmulatedKqueue> made = new CopyOnWriteArrayList<>();

    Poller newPoller() {
        EmulatedKqueue k = new EmulatedKqueue(KqueueTarget.LIBKQUEUE);
        made.add(k);
        return new KqueuePoller(k, KqueueTarget.LIBKQUEUE, OsConstants.current(),
                KqueuePoller.DEFAULT_CHANGES, KqueuePoller.DEFAULT_EVENTS, KqueueConfig.childExit());
    }

    void assertNoViolations() {
        for (EmulatedKqueue k : made) {
            assertTrue(k.violations().isEmpty(), "changes libkqueue would mishandle: " + k.violations());
        }
        made.clear();
    }
}
