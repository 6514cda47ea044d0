package dev.pollen.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.PollerInfo;
import dev.pollen.spi.Pollers;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code echo}: on every poller, it prints its address, echoes over plain {@link Socket}s and exits
 * 0 on SIGTERM.
 */
class EchoIT {

    static final Pattern LISTENING = Pattern.compile("^listening 127\\.0\\.0\\.1:(\\d+) poller=(\\S+)$");

    @ParameterizedTest(name = "--poller {0}")
    @ValueSource(strings = {"epoll", "netty-epoll", "io_uring", "nio"})
    void echoesAndExitsCleanlyOnSigterm(String poller) throws Exception {
        requireAvailable(poller);
        try (JarRun echo = JarRun.start("echo", "--port", "0", "--poller", poller)) {
            Matcher m = echo.awaitStdout(LISTENING, Duration.ofSeconds(30));
            assertEquals(poller, m.group(2), "the listening line names the poller");
            int port = Integer.parseInt(m.group(1));

            try (Socket a = connect(port); Socket b = connect(port)) {
                // Two connections at once, each with more than a socket buffer's worth, written
                // while the echo comes back (the server's flow control pauses reading otherwise).
                CompletableFuture<Void> ea = echoRandom(a, 1, 1 << 20);
                CompletableFuture<Void> eb = echoRandom(b, 2, 1 << 20);
                ea.get(30, TimeUnit.SECONDS);
                eb.get(30, TimeUnit.SECONDS);
                OutputStream out = a.getOutputStream();
                out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
                assertArrayEquals("hello\n".getBytes(StandardCharsets.US_ASCII), a.getInputStream().readNBytes(6));
            }

            echo.terminate();
            JarRun.Result r = echo.finish(Duration.ofSeconds(15));
            assertEquals(0, r.status(), "SIGTERM is a clean stop\n" + r.describe());
            assertTrue(r.stderr().contains("SIGTERM received"), r.describe());
        }
    }

    @Test
    void aPortInUseExits1SayingWhy() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            JarRun.Result r = JarRun.run(Duration.ofSeconds(60), "echo", "--port", Integer.toString(port));
            assertEquals(1, r.status(), r.describe());
            // one line, the address once ("cannot listen on X: cannot listen on X" and
            // "cannot listen on X: bind(X)" were the old doubled forms), then the system's words
            String a = "127.0.0.1:" + port;
            assertTrue(Pattern.compile("^echo: cannot listen on " + Pattern.quote(a)
                    + ": (EADDRINUSE \\()?Address already in use\\)?\n$")
                    .matcher(r.stderr()).matches(), r.describe());
        }
    }

    /** Every poller named here must be there on Linux; elsewhere an absent one is skipped. */
    static void requireAvailable(String poller) {
        PollerInfo info = Pollers.list().stream().filter(p -> p.name().equals(poller)).findFirst().orElse(null);
        boolean available = info != null && info.available();
        String why = info == null ? "no provider named " + poller : info.reason();
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertTrue(available, poller + " should be available on Linux: " + why);
        } else {
            Assumptions.assumeTrue(available, poller + " is not available here: " + why);
        }
    }

    static Socket connect(int port) throws Exception {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(30_000);
        return s;
    }

    /** Writes {@code total} seeded random bytes on one thread and checks the echo on another. */
    static CompletableFuture<Void> echoRandom(Socket s, long seed, int total) {
        CompletableFuture<Object> write = Background.call("write-" + seed, () -> {
            RandomBytes.write(s.getOutputStream(), seed, total);
            return null;
        });
        CompletableFuture<Long> check = Background.call("check-" + seed, () -> RandomBytes.readAndCheck(
                new LimitedStream(s.getInputStream(), total), seed, total, "echo of stream " + seed));
        return CompletableFuture.allOf(write, check);
    }

    /** The first {@code limit} bytes of a stream, then end-of-stream (the socket stays open). */
    static final class LimitedStream extends InputStream {
        private final InputStream in;
        private long left;

        LimitedStream(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws java.io.IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            if (left == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
