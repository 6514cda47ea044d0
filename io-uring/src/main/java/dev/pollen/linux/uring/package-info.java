/**
 * The {@code io_uring} poller: Linux io_uring driven by Pollen's loop, with readiness from
 * {@code IORING_OP_POLL_ADD} requests and the POSIX socket layer of {@code pollen-posix}. The
 * ring is Pollen's own over {@code java.lang.foreign} (JDK 22+) or Netty 4.2's
 * {@code IoUringIoHandler} (netty-transport-native-io_uring), chosen by
 * {@code -Dpollen.io_uring.engine}. See docs/pollers-io_uring.md.
 */
package dev.pollen.linux.uring;
