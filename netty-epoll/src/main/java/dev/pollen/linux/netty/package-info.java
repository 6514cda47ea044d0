/**
 * The {@code netty-epoll} poller: Netty 4.2's native epoll ({@code EpollIoHandler} over JNI)
 * driven by Pollen's event loop through Netty's public {@code IoHandler} API, with sockets made
 * by Netty's public {@code io.netty.channel.unix} classes.
 *
 * <p>Entry point: {@link dev.pollen.linux.netty.NettyEpollPollerProvider}, found by
 * {@link java.util.ServiceLoader}; select it with {@code -Dpollen.poller=netty-epoll}.
 *
 * <p><b>Threading.</b> A poller, its registrations and its sockets are confined to the loop
 * thread; only {@code Poller.wakeup()} and the provider's methods are thread-safe.
 */
package dev.pollen.linux.netty;
