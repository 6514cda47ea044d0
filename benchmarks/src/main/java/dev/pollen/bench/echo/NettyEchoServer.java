package dev.pollen.bench.echo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2's echo server, the peer in the comparison: {@code MultiThreadIoEventLoopGroup} with
 * one thread (accepting and serving, like Pollen's one loop) on {@code EpollIoHandler},
 * {@code IoUringIoHandler} or {@code NioIoHandler}, Netty's defaults otherwise (pooled direct buffers, edge-triggered epoll),
 * {@code TCP_NODELAY} on as in Pollen. The handler is Netty's canonical echo handler (write on
 * read, flush on read-complete) with a void promise, its cheapest form.
 *
 * <p><b>Threading:</b> as {@link EchoServer}.
 */
final class NettyEchoServer implements EchoServer {

    private final EventLoopGroup group;
    private final Channel channel;
    private final Thread thread;

    NettyEchoServer(String transport) {
        this(transport, null);
    }

    /** With {@code tls} (nullable) every connection gets an {@code SslHandler} first (TlsBench). */
    NettyEchoServer(String transport, io.netty.handler.ssl.SslContext tls) {
        IoHandlerFactory factory;
        Class<? extends ServerChannel> channelType;
        switch (transport) {
            case "epoll" -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("Netty's native epoll is not available here: "
                            + Epoll.unavailabilityCause() + "; skip -p server=netty:epoll");
                }
                factory = EpollIoHandler.newFactory();
                channelType = EpollServerSocketChannel.class;
            }
            case "io_uring" -> {
                if (!IoUring.isAvailable()) {
                    throw new IllegalStateException("Netty's io_uring is not available here: "
                            + IoUring.unavailabilityCause() + "; skip netty:io_uring");
                }
                factory = IoUringIoHandler.newFactory();
                channelType = IoUringServerSocketChannel.class;
            }
            case "nio" -> {
                factory = NioIoHandler.newFactory();
                channelType = NioServerSocketChannel.class;
            }
            default -> throw new IllegalArgumentException("Netty transport must be epoll, "
                    + "io_uring or nio, "
                    + "got '" + transport + "'");
        }
        // DefaultThreadFactory makes FastThreadLocalThreads, as Netty does by default.
        group = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("netty-echo-" + transport), factory);
        try {
            channel = new ServerBootstrap()
                    .group(group)
                    .channel(channelType)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(tls == null ? EchoHandler.INSTANCE
                            : new io.netty.channel.ChannelInitializer<io.netty.channel.Channel>() {
                                @Override
                                protected void initChannel(io.netty.channel.Channel ch) {
                                    ch.pipeline().addLast(tls.newHandler(ch.alloc()),
                                            EchoHandler.INSTANCE);
                                }
                            })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .sync()
                    .channel();
            thread = group.submit(Thread::currentThread).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IllegalStateException("interrupted while starting the Netty server", e);
        } catch (ExecutionException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IllegalStateException("Netty server did not start: " + e.getCause(), e);
        }
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public Thread thread() {
        return thread;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Writes every buffer it reads back; flushes once per read burst. */
    @ChannelHandler.Sharable
    static final class EchoHandler extends ChannelInboundHandlerAdapter {
        static final EchoHandler INSTANCE = new EchoHandler();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset at teardown; nothing to report
        }
    }
}
