package dev.pollen.testkit;

import dev.pollen.loop.EventLoop;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Helpers shared by the task and toolkit contracts: run a body as a task to completion, mostly on
 * a virtual-time loop so sleeps and timeouts cost no real time.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
public abstract class TaskTestSupport extends BackendFixture {

    /** One virtual second, in loop nanoseconds. */
    protected static final long SECOND = 1_000_000_000L;
    /** One virtual millisecond, in loop nanoseconds. */
    protected static final long MILLI = 1_000_000L;

    /**
     * Runs {@code body} as a task on {@code loop} until it is done and returns its result.
     *
     * @param loop the loop
     * @param body the task's body
     * @param <T>  its result type
     * @return the result (or the task's exception, thrown)
     */
    protected static <T> T runTask(EventLoop loop, Callable<T> body) {
        return loop.runUntilComplete(loop.createTask("test-main", body));
    }

    /**
     * Runs {@code body} as a task on a new virtual-time loop.
     *
     * @param body the task's body
     * @param <T>  its result type
     * @return the result
     */
    protected <T> T runVirtual(Callable<T> body) {
        return runTask(newVirtualLoop(), body);
    }

    /**
     * A duration of (virtual) milliseconds.
     *
     * @param ms milliseconds
     * @return the duration
     */
    protected static Duration ms(long ms) {
        return Duration.ofMillis(ms);
    }

    /**
     * Runs the loop until every callback scheduled so far, and what those schedule a few levels
     * deep, has run.
     *
     * @param loop the loop (not running)
     */
    protected static void drain(EventLoop loop) {
        for (int i = 0; i < 5; i++) {
            loop.callSoon(loop::stop);
            loop.runForever();
        }
    }
}
