package dev.pollen.bench.tls;

import dev.pollen.bench.AvailablePollers;
import dev.pollen.loop.EventLoop;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Protocol;
import dev.pollen.net.Server;
import dev.pollen.net.Transport;
import dev.pollen.net.tls.TlsConfig;
import dev.pollen.testkit.TlsMaterial;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A TLS echo server whose work all happens on one thread: Pollen's TLS transport
 * ({@code pollen:jdk}, {@code pollen:openssl}) on the best available poller, or Netty 4.2's
 * {@code SslHandler} ({@code netty:jdk}, {@code netty:openssl}) on epoll (NIO where epoll does not
 * load). Both present the test certificate (core's test material) and use the same engine
 * implementation the name says; Netty's OpenSSL side uses {@code SslProvider.OPENSSL_REFCNT}, as
 * Pollen's does.
 *
 * <p><b>Threading:</b> start, address, thread and close from one (the benchmark's) thread.
 */
interface TlsEchoServer extends AutoCloseable {

    /**
     * Starts a server.
     *
     * @param spec {@code pollen:<engine>} or {@code netty:<engine>}, engine jdk or openssl
     * @return the server, listening on 127.0.0.1
     */
    static TlsEchoServer start(String spec) {
        String[] p = spec.split(":", 2);
        if (p.length != 2 || !(p[1].equals("jdk") || p[1].equals("openssl"))) {
            throw new IllegalArgumentException("server must be pollen:jdk, pollen:openssl, "
                    + "netty:jdk or netty:openssl; got '" + spec + "'");
        }
        return switch (p[0]) {
            case "pollen" -> new PollenTls(p[1]);
            case "netty" -> new NettyTls(p[1]);
            default -> throw new IllegalArgumentException("server must start with pollen: or "
                    + "netty:, got '" + spec + "'");
        };
    }

    InetSocketAddress address();

    Thread thread();

    @Override
    void close();

    /** Pollen's TLS echo, written as a user would. */
    final class PollenTls implements TlsEchoServer {
        private final EventLoop loop;
        private final Server server;
        private final Thread thread;

        PollenTls(String engine) {
            String poller = AvailablePollers.pollen().get(0);
            TlsConfig tls = TlsConfig.forServer(TlsMaterial.keys("server")).engine(engine).build();
            loop = AvailablePollers.loop(poller, "pollen-tls-" + engine);
            try {
                server = loop.runUntilComplete(Net.createServer(loop, Echo::new, "127.0.0.1", 0,
                        NetOptions.defaults(), tls));
            } catch (RuntimeException e) {
                loop.close();
                throw e;
            }
            thread = loop.startThread();
        }

        @Override
        public InetSocketAddress address() {
            return (InetSocketAddress) server.sockets().get(0);
        }

        @Override
        public Thread thread() {
            return thread;
        }

        @Override
        public void close() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop.callSoonThreadsafe(() -> {
                server.close();
                server.abortClients();
                done.complete(null);
            });
            done.orTimeout(10, TimeUnit.SECONDS).join();
            loop.close();
        }

        static final class Echo implements Protocol {
            private Transport t;

            @Override
            public void connectionMade(Transport transport) {
                t = transport;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                t.write(data);
            }
        }
    }

    /** Netty's SslHandler in front of its canonical echo handler. */
    final class NettyTls implements TlsEchoServer {
        private final EventLoopGroup group;
        private final Channel channel;
        private final Thread thread;

        NettyTls(String engine) {
            SslContext ctx;
            try {
                var keys = TlsMaterial.keys("server");
                ctx = SslContextBuilder.forServer(keys.privateKey(), keys.certificateChain())
                        .sslProvider(engine.equals("jdk") ? SslProvider.JDK
                                : SslProvider.OPENSSL_REFCNT)
                        .build();
            } catch (javax.net.ssl.SSLException e) {
                throw new IllegalStateException("Netty's SslContext (" + engine + "): " + e, e);
            }
            IoHandlerFactory factory = Epoll.isAvailable() ? EpollIoHandler.newFactory()
                    : NioIoHandler.newFactory();
            Class<? extends ServerChannel> type = Epoll.isAvailable()
                    ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
            group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("netty-tls-"
                    + engine), factory);
            try {
                channel = new ServerBootstrap().group(group).channel(type)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(ctx.newHandler(ch.alloc()), Echo.INSTANCE);
                            }
                        })
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .sync().channel();
                thread = group.submit(Thread::currentThread).get();
            } catch (Exception e) {
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                throw new IllegalStateException("the Netty TLS server did not start: " + e, e);
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

        @ChannelHandler.Sharable
        static final class Echo extends ChannelInboundHandlerAdapter {
            static final Echo INSTANCE = new Echo();

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
                ctx.close();
            }
        }
    }
}
