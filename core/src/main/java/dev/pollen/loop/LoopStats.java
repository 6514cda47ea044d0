package dev.pollen.loop;

/**
 * A snapshot of a loop's counters, from {@link EventLoop#stats()}. Values are cumulative since the
 * loop was created.
 *
 * <p><b>Threading:</b> immutable, any thread. Taken from another thread while the loop runs, the
 * fields are each current but not necessarily from the same instant.
 *
 * @param iterations     loop iterations (one poll each)
 * @param callbacksRun   callbacks, timers and done-callbacks run
 * @param ioEvents       I/O readiness events dispatched
 * @param timersPending  timers scheduled and not yet run or cancelled
 * @param nanosPolling   time spent inside {@code poll} (waiting or collecting events)
 * @param nanosRunning   time spent outside {@code poll} (running callbacks and handlers)
 */
public record LoopStats(long iterations, long callbacksRun, long ioEvents, int timersPending,
                        long nanosPolling, long nanosRunning) {
}
