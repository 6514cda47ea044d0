package dev.pollen.testkit;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.spi.Poller;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;

/**
 * The base of every contract in the conformance kit: a backend module subclasses a contract and
 * says how to make its poller. Loops made with {@link #newLoop()} are closed after each test, and
 * exceptions that reach their exception handler are collected in {@link #loopErrors} instead of
 * being logged, so tests can assert on them (and a test that expects none can check).
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
public abstract class BackendFixture {

    /** Errors that reached the exception handler of loops made by {@link #newLoop()}. */
    protected final List<ExceptionContext> loopErrors = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

    /**
     * Makes a new poller of the backend under test.
     *
     * @return a new, open poller
     */
    protected abstract Poller newPoller();

    /**
     * Whether the backend's pollers have sockets (the socket-less test poller does not).
     *
     * @return true if {@code newPoller().sockets()} works
     */
    protected boolean hasSockets() {
        return true;
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
    }
}
