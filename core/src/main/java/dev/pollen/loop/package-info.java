/**
 * The event loop: {@link dev.pollen.loop.EventLoop}, callbacks ({@link dev.pollen.loop.Handle}),
 * timers ({@link dev.pollen.loop.TimerHandle}) and {@link dev.pollen.loop.Future}.
 *
 * <p><b>Threading.</b> One loop, one thread. Everything here is loop-thread-only unless its
 * Javadoc says it is thread-safe ({@link dev.pollen.loop.EventLoop#callSoonThreadsafe},
 * {@link dev.pollen.loop.EventLoop#stop()}, {@link dev.pollen.loop.EventLoop#time()} and a few
 * getters). While a loop runs, a loop-thread-only method called from another thread throws an
 * {@link java.lang.IllegalStateException} that names the method and the loop's thread.
 */
package dev.pollen.loop;
