package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.SplicePipe;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@link KernelPipe} on live sockets, without a poller: {@code splice(2)} from one connection's
 * socket through the pipe into another's, in the binding this JVM chose (the surefire executions
 * run both).
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "splice(2) is Linux only")
class KernelPipeTest extends LiveSockets {

    @Test
    void bytesMoveSocketToPipeToSocketExactlyAndEndOfStreamReadsMinusOne() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] in = pair(l);   // in[0] sends, in[1] is the pipe's source
        StreamSocket[] out = pair(l);  // out[0] is the pipe's destination, out[1] receives
        SplicePipe pipe = in[1].openSplice(out[0]);
        assertNotNull(pipe, "Linux sockets of one layer must splice");
        try {
            assertTrue(pipe.capacity() >= 4096, "capacity " + pipe.capacity());
            assertEquals(0, pipe.fill(), "nothing sent yet: 0, not end-of-stream");
            byte[] data = new byte[1 << 20];
            new Random(5).nextBytes(data);
            ByteBuffer src = ByteBuffer.wrap(data);
            ByteBuffer got = ByteBuffer.allocateDirect(data.length);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (got.hasRemaining()) {
                assertTrue(System.nanoTime() < deadline, "stalled at " + got.position());
                if (src.hasRemaining()) {
                    in[0].write(src);
                }
                int n = pipe.fill();
                assertTrue(n >= 0, "no end-of-stream before the sender closes");
                assertTrue(pipe.buffered() <= pipe.capacity());
                pipe.drain();
                out[1].read(got);
            }
            got.flip();
            byte[] back = new byte[data.length];
            got.get(back);
            assertArrayEquals(data, back);
            assertEquals(0, pipe.buffered());
            in[0].shutdownOutput();
            LiveSockets.spin(() -> {
                try {
                    return pipe.fill() == -1;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
        } finally {
            pipe.close();
        }
    }

    @Test
    void aResetSourceFailsTheFillAsAReadWould() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] in = pair(l);
        StreamSocket[] out = pair(l);
        SplicePipe pipe = in[1].openSplice(out[0]);
        assertNotNull(pipe);
        try {
            in[0].setOption(StandardSocketOptions.SO_LINGER, 0);
            in[0].close(); // sends RST
            IOException[] failure = new IOException[1];
            LiveSockets.spin(() -> {
                try {
                    assertTrue(pipe.fill() >= 0, "a reset is not a clean end-of-stream");
                    return false;
                } catch (IOException e) {
                    failure[0] = e;
                    return true;
                }
            });
            assertInstanceOf(SocketException.class, failure[0]);
            assertTrue(failure[0].getMessage().contains("ECONNRESET"), failure[0].getMessage());
        } finally {
            pipe.close();
        }
    }

    @Test
    void theLayersCapAndClosingGiveNullAndBackPipes() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] a = pair(l);
        StreamSocket[] b = pair(l);
        String old = System.getProperty(KernelPipe.MAX_PIPES_PROPERTY);
        System.setProperty(KernelPipe.MAX_PIPES_PROPERTY, "1");
        try {
            SplicePipe first = a[1].openSplice(b[0]);
            assertNotNull(first);
            assertNull(b[0].openSplice(a[1]), "past the cap: null, never an exception");
            first.close();
            first.close(); // idempotent: counts once
            SplicePipe again = b[0].openSplice(a[1]);
            assertNotNull(again, "a closed pipe frees its place");
            again.close();
        } finally {
            if (old == null) {
                System.clearProperty(KernelPipe.MAX_PIPES_PROPERTY);
            } else {
                System.setProperty(KernelPipe.MAX_PIPES_PROPERTY, old);
            }
        }
        assertEquals(0, layer.splicePipes);
        assertNull(a[1].openSplice(a[1]), "a socket cannot splice into itself");
    }
}
