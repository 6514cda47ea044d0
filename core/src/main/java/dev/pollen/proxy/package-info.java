/**
 * A TCP proxy as a library ({@link dev.pollen.proxy.TcpProxy}): listen, connect each client to
 * one of several upstreams (first available or round-robin, connect timeout, retries), then pipe
 * both ways with flow control and half-close; clean refusals, idle timeout, graceful drain,
 * per-connection and total byte counts, and a {@link dev.pollen.proxy.ProxyListener} to observe
 * each connection. Runs on one {@link dev.pollen.loop.EventLoop} or a
 * {@link dev.pollen.group.LoopGroup}. See {@code docs/proxy.md}.
 *
 * <p><b>Threading.</b> Configuration objects are immutable and thread-safe;
 * {@link dev.pollen.proxy.ProxyServer} is thread-safe; a
 * {@link dev.pollen.proxy.ProxyConnection} and every listener call belong to the loop thread of
 * the connection.
 */
package dev.pollen.proxy;
