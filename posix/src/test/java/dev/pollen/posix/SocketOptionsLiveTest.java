package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.net.StandardSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** setsockopt/getsockopt through StandardSocketOptions on the running OS. */
@EnabledOnOs(value = {OS.LINUX, OS.MAC, OS.FREEBSD}, disabledReason = "POSIX sockets only")
class SocketOptionsLiveTest extends LiveSockets {

    @Test
    void booleanOptionsRoundTrip() throws Exception {
        StreamSocket s = pair()[0];
        for (var opt : java.util.List.of(StandardSocketOptions.TCP_NODELAY,
                StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR,
                StandardSocketOptions.SO_REUSEPORT)) {
            s.setOption(opt, true);
            assertTrue(s.getOption(opt), opt.name());
            s.setOption(opt, false);
            assertFalse(s.getOption(opt), opt.name());
        }
    }

    @Test
    void bufferSizesAndLinger() throws Exception {
        StreamSocket s = pair()[0];
        s.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        // Linux doubles the value for bookkeeping; every OS reports at least what was set.
        assertTrue(s.getOption(StandardSocketOptions.SO_RCVBUF) >= 64 * 1024);
        s.setOption(StandardSocketOptions.SO_SNDBUF, 32 * 1024);
        assertTrue(s.getOption(StandardSocketOptions.SO_SNDBUF) >= 32 * 1024);
        assertEquals(-1, s.getOption(StandardSocketOptions.SO_LINGER), "off by default");
        s.setOption(StandardSocketOptions.SO_LINGER, 7);
        assertEquals(7, s.getOption(StandardSocketOptions.SO_LINGER));
        s.setOption(StandardSocketOptions.SO_LINGER, -1);
        assertEquals(-1, s.getOption(StandardSocketOptions.SO_LINGER));
        assertThrows(IllegalArgumentException.class,
                () -> s.setOption(StandardSocketOptions.SO_RCVBUF, -5));
    }

    @Test
    void optionsGivenAtCreationAreApplied() throws Exception {
        ListenSocket l = listen();
        StreamSocket c = track(layer.connect(l.localAddress(), SocketOptions.none()
                .with(StandardSocketOptions.TCP_NODELAY, true)
                .with(StandardSocketOptions.SO_SNDBUF, 48 * 1024)));
        assertTrue(c.getOption(StandardSocketOptions.TCP_NODELAY));
        assertTrue(c.getOption(StandardSocketOptions.SO_SNDBUF) >= 48 * 1024);
    }

    @Test
    void tcpListenersReuseTheAddressUnlessToldNot() throws Exception {
        OsConstants os = layer.os();
        ListenSocket l = listen();
        assertNotEquals(0, layer.getInt(((FdSource) l).fd(), os.SOL_SOCKET, os.SO_REUSEADDR, "x"));
        ListenSocket no = track(layer.listen(LOOPBACK_0, 4,
                SocketOptions.none().with(StandardSocketOptions.SO_REUSEADDR, false)));
        assertEquals(0, layer.getInt(((FdSource) no).fd(), os.SOL_SOCKET, os.SO_REUSEADDR, "x"));
    }

    @Test
    void unknownOrMisplacedOptionsAreUnsupportedByName() throws Exception {
        StreamSocket s = pair()[0];
        UnsupportedOperationException tos = assertThrows(UnsupportedOperationException.class,
                () -> s.setOption(StandardSocketOptions.IP_TOS, 4));
        assertTrue(tos.getMessage().contains("IP_TOS"), tos.getMessage());
        UnsupportedOperationException bc = assertThrows(UnsupportedOperationException.class,
                () -> s.getOption(StandardSocketOptions.SO_BROADCAST));
        assertTrue(bc.getMessage().contains("SO_BROADCAST") && bc.getMessage().contains("TCP"));
        // Refused before any socket is made.
        assertThrows(UnsupportedOperationException.class, () -> layer.openDatagram(LOOPBACK_0,
                null, SocketOptions.none().with(StandardSocketOptions.TCP_NODELAY, true)));
    }
}
