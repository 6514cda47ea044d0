/**
 * The kqueue poller through JNA: the macOS and FreeBSD kernels, and libkqueue on Linux.
 *
 * <p>{@link dev.pollen.macos.kqueue.KqueuePollerProvider} registers it as {@code kqueue};
 * {@link dev.pollen.macos.kqueue.KqueuePoller} maps the poller contract to kqueue; the pure
 * pieces ({@link dev.pollen.macos.kqueue.KqueueTarget} per-target facts,
 * {@link dev.pollen.macos.kqueue.FilterState} transitions and libkqueue work-arounds,
 * {@link dev.pollen.macos.kqueue.ChangeList} batching, {@link dev.pollen.macos.kqueue.KeventArray}
 * encoding) are tested without a kqueue; registration checks, dispatch and wakeup coalescing are
 * {@link dev.pollen.spi.AbstractPoller}'s.
 * Sockets come from the shared POSIX layer ({@code dev.pollen.posix}).
 *
 * <p><b>Threading:</b> as {@link dev.pollen.spi.Poller}: loop thread only, except
 * {@code wakeup()}.
 */
package dev.pollen.macos.kqueue;
