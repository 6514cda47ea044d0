/**
 * The portable poller on {@link java.nio.channels.Selector}: provider {@code nio}.
 *
 * <p>{@link dev.pollen.nio.NioPollerProvider} is found by {@link java.util.ServiceLoader};
 * {@link dev.pollen.nio.NioPoller} implements the {@link dev.pollen.spi.Poller} contract on a
 * selector, and {@link dev.pollen.nio.NioSocketLayer} makes the NIO channels it watches (TCP,
 * Unix domain stream sockets, UDP).
 *
 * <p><b>Threading.</b> Everything here is confined to the poller's loop thread, except
 * {@link dev.pollen.nio.NioPoller#wakeup()} and the provider, which are thread-safe.
 */
package dev.pollen.nio;
