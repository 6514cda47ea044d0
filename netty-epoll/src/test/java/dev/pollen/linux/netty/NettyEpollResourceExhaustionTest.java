package dev.pollen.linux.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.ResourceExhaustedException;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Running out of descriptors for real: with {@code RLIMIT_NOFILE} lowered, socket creation and
 * {@code accept} fail with EMFILE, which must surface as {@link ResourceExhaustedException} so
 * servers can back off. The limit is restored before the test ends.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettyEpollResourceExhaustionTest {

    private static final int RLIMIT_NOFILE = 7;

    /** getrlimit/setrlimit on {@code struct rlimit {rlim_t cur, max;}} (two longs on 64-bit Linux). */
    interface RLimits extends Library {
        int getrlimit(int resource, long[] rlim);

        int setrlimit(int resource, long[] rlim);
    }

    @Test
    void emfileOnSocketAndAcceptIsResourceExhausted() throws Exception {
        RLimits libc = Native.load("c", RLimits.class);
        Poller poller = NettyEpollTesting.newPoller();
        List<StreamSocket> clients = new ArrayList<>();
        long[] saved = new long[2];
        assertEquals(0, libc.getrlimit(RLIMIT_NOFILE, saved));
        ListenSocket l = poller.sockets().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                128, SocketOptions.none());
        ResourceExhaustedException onSocket = null;
        ResourceExhaustedException onAccept = null;
        try {
            int open = NettyEpollFdLeakTest.openFds();
            assertEquals(0, libc.setrlimit(RLIMIT_NOFILE, new long[] {open + 8, saved[1]}));
            for (int i = 0; i < 1000 && onSocket == null; i++) {
                try {
                    clients.add(poller.sockets().connect(l.localAddress(), SocketOptions.none()));
                } catch (ResourceExhaustedException e) {
                    onSocket = e;
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (onAccept == null && System.nanoTime() < deadline) {
                try {
                    StreamSocket s = l.accept();
                    if (s != null) {
                        clients.add(s); // a free fd appeared (the limit counts fd numbers, not fds)
                    }
                } catch (ResourceExhaustedException e) {
                    onAccept = e;
                }
            }
        } finally {
            libc.setrlimit(RLIMIT_NOFILE, saved);
            for (StreamSocket c : clients) {
                c.close();
            }
            l.close();
            poller.close();
        }
        assertNotNull(onSocket, "socket creation never hit EMFILE");
        assertTrue(onSocket.getMessage().startsWith("socket(" + "127.0.0.1:"), onSocket.getMessage());
        assertTrue(onSocket.getMessage().contains("EMFILE (Too many open files)"), onSocket.getMessage());
        assertNotNull(onAccept, "accept never hit EMFILE");
        assertTrue(onAccept.getMessage().startsWith("accept(127.0.0.1:"), onAccept.getMessage());
        assertTrue(onAccept.getMessage().contains("EMFILE"), onAccept.getMessage());
    }
}
