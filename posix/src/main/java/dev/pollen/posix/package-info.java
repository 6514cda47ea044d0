/**
 * The POSIX socket layer shared by the fd-based pollers (epoll on Linux, kqueue on macOS and
 * the BSDs): the libc calls ({@link dev.pollen.posix.LibC}, listed once in
 * {@link dev.pollen.posix.PosixCalls}) through {@code java.lang.foreign} on JDK 22+ or JNA
 * direct mapping, chosen by {@link dev.pollen.posix.NativeBinding}; one
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
