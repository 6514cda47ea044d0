package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.net.ConnectException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Unix domain stream sockets on the running OS. */
@EnabledOnOs(value = {OS.LINUX, OS.MAC, OS.FREEBSD}, disabledReason = "POSIX sockets only")
class UnixDomainLiveTest extends LiveSockets {

    @TempDir
    Path dir;

    @Test
    void listenConnectAcceptAndTalk() throws Exception {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("s.sock"));
        assertTrue(layer.supportsUnixDomain());
        ListenSocket l = track(layer.listen(path, 8, SocketOptions.none()));
        assertEquals(path, l.localAddress());
        assertTrue(Files.exists(path.getPath()));
        StreamSocket[] p = pair(l);
        assertEquals(path, p[0].remoteAddress());
        assertEquals(UnixDomainSocketAddress.of(""), p[1].remoteAddress(), "the client is unnamed");
        p[0].write(ascii("over unix"));
        ByteBuffer dst = ByteBuffer.allocateDirect(9);
        readFully(p[1], dst);
        assertEquals("over unix", text(dst));
    }

    @Test
    void missingPathIsConnectExceptionNamingIt() {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("absent.sock"));
        ConnectException e = assertThrows(ConnectException.class,
                () -> layer.connect(path, SocketOptions.none()));
        assertEquals("connect(" + path.getPath() + "): ENOENT (No such file or directory)",
                e.getMessage());
    }

    @Test
    void tcpOnlyOptionsAreRefused() throws Exception {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("o.sock"));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> layer.listen(path, 8, SocketOptions.none()
                        .with(StandardSocketOptions.TCP_NODELAY, true)));
        assertTrue(e.getMessage().contains("TCP_NODELAY"));
        assertTrue(!Files.exists(path.getPath()), "refused before binding");
        ListenSocket l = track(layer.listen(path, 8, SocketOptions.none()));
        StreamSocket s = pair(l)[0];
        s.setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
        assertTrue(s.getOption(StandardSocketOptions.SO_SNDBUF) >= 16 * 1024);
    }

    @Test
    void tooLongPathIsRejectedBeforeAnySocket() {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("p".repeat(120)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.listen(path, 8, SocketOptions.none()));
        assertTrue(e.getMessage().contains("too long"), e.getMessage());
    }
}
