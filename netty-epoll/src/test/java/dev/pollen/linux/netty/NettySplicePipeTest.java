package dev.pollen.linux.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.AbstractSplicePipe;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.PipePool;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.SplicePipe;
import dev.pollen.spi.StreamSocket;
import dev.pollen.testkit.SplicePipeCases;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link NettySplicePipe} on live sockets, without a loop: what Netty's splice cannot say by
 * itself (end-of-stream and EAGAIN are both 0) must still come out as the
 * {@link SplicePipe} contract says, also while the pipe holds bytes, and the bytes must keep
 * their order when the end-of-stream probe reads one that the full pipe cannot take yet. The
 * cases every backend's pipe shares come from {@link SplicePipeCases}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettySplicePipeTest extends NettyLiveSockets implements SplicePipeCases {

    @Override
    public StreamSocket[] newConnection() throws Exception {
        ListenSocket l = keep(poller.sockets().listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8, SocketOptions.none()));
        StreamSocket c = keep(poller.sockets().connect(l.localAddress(), SocketOptions.none()));
        SplicePipeCases.spin(() -> SplicePipeCases.io(() -> c.finishConnect() ? 1 : 0) == 1);
        StreamSocket s;
        while ((s = l.accept()) == null) {
            Thread.sleep(1);
        }
        return new StreamSocket[] {c, keep(s)};
    }

    @Override
    public PipePool pipePool() {
        return NettySplicePipe.POOL;
    }

    @Override
    public AbstractSplicePipe.LoopCount heldPipes() {
        return ((NettySocketLayer) poller.sockets()).splicePipes;
    }

    /**
     * Small writes make one pipe slot each, so filling without draining runs the pipe out of
     * slots long before its byte capacity: Netty's splice then answers 0 (EAGAIN) with data
     * waiting, the probe reads a byte the pipe cannot take, and it must go out in its place.
     */
    @Test
    void fillingAFullPipeKeepsEveryByteInOrderUpToEndOfStream() throws Exception {
        StreamSocket[] in = newConnection();  // in[0] sends, in[1] is the pipe's source
        StreamSocket[] out = newConnection(); // out[0] is the pipe's destination, out[1] receives
        in[0].setOption(StandardSocketOptions.TCP_NODELAY, true);
        SplicePipe pipe = in[1].openSplice(out[0]);
        assertNotNull(pipe, "two netty-epoll stream sockets must splice");
        assertTrue(pipe.reserve());
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        ByteBuffer got = ByteBuffer.allocateDirect(data.length);
        int sent = 0;
        int carried = 0;
        int released = 0;
        try {
            assertEquals(0, pipe.fill(), "nothing sent yet: 0, not end-of-stream");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (sent < data.length) {
                assertTrue(System.nanoTime() < deadline, "stalled at " + got.position());
                int chunk = Math.min(700, data.length - sent);
                sent += in[0].write(ByteBuffer.wrap(data, sent, chunk));
                for (int i = 0; i < 40; i++) {
                    int n = pipe.fill();
                    assertTrue(n >= 0, "no end-of-stream before the sender closes");
                    assertTrue(pipe.buffered() <= pipe.capacity());
                    if (((NettySplicePipe) pipe).carrying()) {
                        carried++;
                        pipe.release(); // the carried byte is counted: the pipe is not empty
                        assertTrue(pipe.capacity() > 0 && pipe.buffered() > 0,
                                "a pipe carrying a byte stays held: " + pipe);
                    }
                    if (n == 0) {
                        break;
                    }
                }
                if ((sent / chunk) % 50 == 0) {
                    pipe.drain(); // drain now and then only, so the pipe runs full in between
                    if ((sent / chunk) % 200 == 0) { // and now and then empty it
                        for (int k = 0; k < 100 && pipe.buffered() > 0; k++) {
                            pipe.drain();
                            out[1].read(got);
                        }
                    }
                    if (pipe.buffered() == 0) { // empty: give it back and take one again, as
                        pipe.release();         // SpliceFlow does between bursts
                        assertEquals(0, pipe.capacity(), "released: no pipe held");
                        released++;
                        assertTrue(pipe.reserve());
                    }
                }
                out[1].read(got);
            }
            in[0].shutdownOutput();
            int last;
            do {
                assertTrue(System.nanoTime() < deadline, "no end-of-stream");
                last = pipe.fill();
                if (last == 0) { // a full pipe answers 0, also at the end: make room
                    pipe.drain();
                    out[1].read(got);
                }
            } while (last >= 0);
            while (got.position() < data.length) {
                assertTrue(System.nanoTime() < deadline, "stalled at " + got.position());
                pipe.drain();
                out[1].read(got);
            }
            assertEquals(0, pipe.buffered());
            byte[] back = new byte[data.length];
            got.flip().get(back);
            assertArrayEquals(data, back);
            assertTrue(carried > 0, "the pipe never ran out of slots: the carried byte went untested");
            assertTrue(released > 0, "the pipe was never empty between bursts: release went untested");
            pipe.release();
            assertEquals(0, pipe.capacity(), "empty at the end: released");
        } finally {
            pipe.close();
        }
    }
}
