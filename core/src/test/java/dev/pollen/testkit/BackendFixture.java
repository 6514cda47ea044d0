package dev.pollen.testkit;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.spi.Poller;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The base of every contract in the conformance kit. The contracts are concrete classes that run
 * on the backend {@code -Dpollen.kit.backend} names (a {@link KitBackend}, made anew for every
 * test); {@link KitExtension} skips what that backend lists in {@link KitBackend#skips()}.
 * Loops made with {@link #newLoop()} are closed after each test, and exceptions that reach their
 * exception handler are collected in {@link #loopErrors} instead of being logged, so tests can
 * assert on them (and a test that expects none can check).
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
@ExtendWith(KitExtension.class)
public abstract class BackendFixture {

    /** Errors that reached the exception handler of loops made by {@link #newLoop()}. */
    protected final List<ExceptionContext> loopErrors = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
    private final KitBackend backend = Kit.newBackend();

    /**
     * The backend under test.
     *
     * @return this test's instance of the selected backend
     * @throws IllegalStateException when no backend is selected
     */
    protected KitBackend backend() {
        if (backend == null) {
            throw new IllegalStateException("no backend: the kit runs with -D" + Kit.PROPERTY
                    + "=NAME (see docs/extending.md), or a subclass overrides newPoller()");
        }
        return backend;
    }

    /**
     * Makes a new poller of the backend under test.
     *
     * @return a new, open poller
     */
    protected Poller newPoller() {
        return backend().newPoller();
    }

    @BeforeEach
    void backendBeforeEach() {
        if (backend != null) {
            backend.beforeEach();
        }
    }

    /**
     * A loop on a new poller, closed after the test.
     *
     * @return the loop
     */
    protected EventLoop newLoop() {
        return register(configure(EventLoop.builder().poller(newPoller())).build());
    }

    /**
     * A loop on virtual time (see {@link EventLoop.Builder#virtualTime(boolean)}), closed after the
     * test.
     *
     * @return the loop
     */
    protected EventLoop newVirtualLoop() {
        return register(configure(EventLoop.builder().poller(newPoller()).virtualTime(true)).build());
    }

    private EventLoop.Builder configure(EventLoop.Builder b) {
        return b.exceptionHandler((loop, ctx) -> loopErrors.add(ctx));
    }

    /**
     * Closes {@code resource} after the test.
     *
     * @param resource what to close
     * @param <T>      its type
     * @return the resource
     */
    protected <T extends AutoCloseable> T register(T resource) {
        toClose.add(resource);
        return resource;
    }

    @AfterEach
    void closeResources() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            AutoCloseable c = toClose.get(i);
            try {
                c.close();
            } catch (IllegalStateException e) {
                // a loop still running on a thread it did not start: ask it to stop instead
                if (c instanceof EventLoop l) {
                    l.stop();
                }
            }
        }
        toClose.clear();
        if (backend != null) {
            backend.afterEach();
        }
    }
}
