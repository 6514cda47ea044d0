package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code sendfile(2)} sender on real sockets, through whichever binding this run uses (the
 * module's tests run once with each): finding a file channel's descriptor, sending a range,
 * the end of the file, a full send buffer, a reset peer.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "Linux sendfile(2) only; macOS and FreeBSD report "
        + "the sender as not available")
class SendfileLiveTest extends LiveSockets {

    @TempDir
    Path dir;

    private FileChannel file(byte[] content) throws IOException {
        Path p = dir.resolve("f.bin");
        Files.write(p, content);
        return FileChannel.open(p, StandardOpenOption.READ);
    }

    @Test
    void theDuplicateSharesTheChannelsOpenFileAndThePositionIsPutBack() throws IOException {
        try (FileChannel ch = file(new byte[1000])) {
            ch.position(123);
            int dup = PosixFileSender.duplicate(ch);
            assertTrue(dup >= 0, "found");
            try {
                assertEquals(123, ch.position(), "position put back");
                // One open file description: moving the duplicate's offset moves the channel's.
                assertEquals(777, LibC.lseek(dup, 777, 0));
                assertEquals(777, ch.position());
            } finally {
                LibC.close(dup);
            }
        }
    }

    @Test
    void aClosedChannelIsAnError() throws IOException {
        FileChannel ch = file(new byte[10]);
        ch.close();
        assertThrows(java.nio.channels.ClosedChannelException.class,
                () -> PosixFileSender.duplicate(ch));
    }

    @Test
    void sendsARangeThenReportsTheEnd() throws Exception {
        byte[] data = new byte[300_000];
        new Random(3).nextBytes(data);
        StreamSocket[] p = pair();
        try (FileChannel ch = file(data);
             StreamSocket.FileSender sender = p[0].fileSender(ch)) {
            assertNotNull(sender, "Linux sockets have a sender");
            long sent = 0;
            ByteBuffer got = ByteBuffer.allocate(200_000);
            while (sent < 200_000) {
                long n = sender.send(50_000 + sent, 200_000 - sent);
                assertTrue(n >= 0, "not the end yet: " + n);
                sent += n;
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                if (p[1].read(chunk) > 0) {
                    got.put(chunk.flip());
                }
            }
            while (got.hasRemaining()) {
                readFully(p[1], got);
            }
            assertArrayEquals(Arrays.copyOfRange(data, 50_000, 250_000), got.array());
            assertEquals(-1, sender.send(data.length, 10), "at the end of the file");
            assertEquals(0, ch.position(), "the channel's position never moves");
        }
    }

    @Test
    void aFullSendBufferIsZeroAndAResetPeerIsASocketException() throws Exception {
        byte[] data = new byte[32 * 1024 * 1024];
        StreamSocket[] p = pair();
        try (FileChannel ch = file(data);
             StreamSocket.FileSender sender = p[0].fileSender(ch)) {
            long sent = 0;
            long n;
            while ((n = sender.send(sent, data.length - sent)) > 0) {
                sent += n;
            }
            assertEquals(0, n, "the peer reads nothing: the send buffer fills, then 0");
            assertTrue(sent > 0 && sent < data.length, "sent " + sent);
            p[1].setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
            p[1].close(); // RST
            long at = sent;
            SocketException e = assertThrows(SocketException.class, () -> {
                for (int i = 0; i < 1000; i++) {
                    sender.send(at, data.length - at);
                    Thread.sleep(1);
                }
            });
            String m = e.getMessage();
            assertTrue(m.startsWith("sendfile(") && (m.contains("ECONNRESET")
                    || m.contains("EPIPE")), m);
        }
    }
}
