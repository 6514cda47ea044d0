package dev.pollen.linux.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Pollers;
import dev.pollen.spi.SocketOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fresh JVM started with Pollen's documented flags that loads Netty's native epoll, opens a
 * socket and polls prints nothing on stderr: no native-access warning (JDK 22+) and no
 * {@code sun.misc.Unsafe} deprecation warning (JDK 24+), which a Netty upgrade could bring back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettyEpollNoWarningTest {

    /** The child JVM's program. */
    public static final class Child {
        private Child() {
        }

        /**
         * Makes a netty-epoll poller, listens, polls, closes.
         *
         * @param args unused
         * @throws Exception on failure (non-zero exit)
         */
        public static void main(String[] args) throws Exception {
            try (Poller p = Pollers.create("netty-epoll");
                    ListenSocket l = p.sockets().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                            8, SocketOptions.none())) {
                p.poll(1_000_000);
                System.out.println("ok " + l.localAddress());
            }
        }
    }

    @Test
    void aJvmWithPollensFlagsPrintsNoWarning() throws Exception {
        assumeTrue(new NettyEpollPollerProvider().availability().available(), "netty-epoll unavailable");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(),
                "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                Child.class.getName())).start();
        byte[] err = drain(p.getErrorStream());
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the child JVM did not finish");
        String stderr = new String(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "child failed: " + stderr);
        assertTrue(out.startsWith("ok "), out);
        assertEquals("", stderr, "the child JVM printed on stderr");
    }

    private static byte[] drain(InputStream in) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        return b.toByteArray();
    }
}
