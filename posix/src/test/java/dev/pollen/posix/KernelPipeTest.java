package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.AbstractSplicePipe;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.PipePool;
import dev.pollen.spi.SplicePipe;
import dev.pollen.spi.StreamSocket;
import dev.pollen.testkit.SplicePipeCases;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@link KernelPipe} on live sockets, without a poller: {@code splice(2)} from one connection's
 * socket through the pipe into another's, in the binding this JVM chose (the surefire executions
 * run both). The cases every backend's pipe shares come from {@link SplicePipeCases}.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "splice(2) is Linux only")
class KernelPipeTest extends LiveSockets implements SplicePipeCases {

    @Override
    public StreamSocket[] newConnection() throws Exception {
        return pair();
    }

    @Override
    public PipePool pipePool() {
        return KernelPipe.POOL;
    }

    @Override
    public AbstractSplicePipe.LoopCount heldPipes() {
        return layer.splicePipes;
    }

    @Test
    void bytesMoveSocketToPipeToSocketExactlyAndEndOfStreamReadsMinusOne() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] in = pair(l);   // in[0] sends, in[1] is the pipe's source
        StreamSocket[] out = pair(l);  // out[0] is the pipe's destination, out[1] receives
        SplicePipe pipe = in[1].openSplice(out[0]);
        assertNotNull(pipe, "Linux sockets of one layer must splice");
        try {
            assertEquals(0, pipe.capacity(), "no kernel pipe is held before reserve()");
            assertTrue(pipe.reserve());
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
}
