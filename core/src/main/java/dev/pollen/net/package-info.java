/**
 * Networking on any poller, in asyncio's two levels.
 *
 * <ul>
 *   <li><b>Transports and protocols</b> (callbacks, the fast path):
 *       {@link dev.pollen.net.Net#createConnection}, {@link dev.pollen.net.Net#createServer},
 *       {@link dev.pollen.net.Protocol}, {@link dev.pollen.net.Transport}, and for UDP
 *       {@link dev.pollen.net.Net#createDatagramEndpoint} with
 *       {@link dev.pollen.net.DatagramProtocol}.</li>
 *   <li><b>Streams</b> (tasks): {@link dev.pollen.net.Net#openConnection} and
 *       {@link dev.pollen.net.Net#startServer} give a {@link dev.pollen.net.StreamReader} and a
 *       {@link dev.pollen.net.StreamWriter} whose methods suspend the calling task.</li>
 *   <li><b>Proxies</b>: {@link dev.pollen.net.Net#pipe} forwards two transports into each other
 *       with flow control; {@link dev.pollen.proxy.TcpProxy} is a complete TCP proxy on it.</li>
 * </ul>
 *
 * <p>Everything here is built on the {@link dev.pollen.spi} socket primitives and the loop, so it
 * works the same on every poller.
 *
 * <p><b>Threading.</b> Loop thread only, unless a method says otherwise: create connections,
 * write, close and pause from callbacks or tasks of the transport's loop (hand work in from other
 * threads with {@link dev.pollen.loop.EventLoop#callSoonThreadsafe(Runnable)}).
 */
package dev.pollen.net;
