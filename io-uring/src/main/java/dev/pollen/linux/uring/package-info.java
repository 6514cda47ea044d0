/**
 * The {@code io_uring} poller: Linux io_uring through Netty 4.2's {@code IoUringIoHandler}
 * (netty-transport-native-io_uring), driven by Pollen's loop, with readiness from one-shot
 * {@code IORING_OP_POLL_ADD} requests and the POSIX socket layer of {@code pollen-posix}. See
 * docs/pollers-io_uring.md.
 */
package dev.pollen.linux.uring;
