/**
 * The POSIX socket layer shared by the fd-based pollers (epoll on Linux, kqueue on macOS and
 * the BSDs): libc bindings through JNA direct mapping ({@link dev.pollen.posix.LibC}), one
 * constants table per OS ({@link dev.pollen.posix.OsConstants}), sockaddr encoding
 * ({@link dev.pollen.posix.SockAddr}), errno-to-exception mapping
 * ({@link dev.pollen.posix.PosixErrors}), and an fd-based implementation of the SPI's socket
 * interfaces ({@link dev.pollen.posix.PosixSocketLayer}, {@link dev.pollen.posix.FdSource}).
 *
 * <p>A poller uses it by creating one {@link dev.pollen.posix.PosixSocketLayer} with an
 * {@link dev.pollen.posix.FdCloseHook} (to deregister a source before its fd closes), returning
 * it from {@code sockets()}, and accepting for registration only the
 * {@link dev.pollen.posix.FdSource}s whose {@code layer()} is its own.
 *
 * <p><b>Threading.</b> Sockets and layers are loop-thread only; the static helpers (constants,
 * bindings, encoders) are thread-safe.
 */
package dev.pollen.posix;
