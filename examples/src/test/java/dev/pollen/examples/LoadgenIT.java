package dev.pollen.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code loadgen} against a child {@code echo}, against an "echo" that corrupts a bit, and against
 * a closed port.
 */
class LoadgenIT {

    static final Pattern RESULT = Pattern.compile("^messages/s=(\\d+) MB/s=(\\d+\\.\\d\\d) p50=(\\d+)us p99=(\\d+)us "
            + "p999=(\\d+)us messages=(\\d+) errors=(\\d+)( first-error=\"(.*)\")?$");

    @Test
    void againstTheEchoServerItPrintsTheResultLineAndProgressAndExits0() throws Exception {
        try (JarRun echo = JarRun.start("echo", "--port", "0")) {
            int port = Integer.parseInt(echo.awaitStdout(EchoIT.LISTENING, Duration.ofSeconds(30)).group(1));
            // 4 s: long enough for the progress lines (printed when a run is longer than 3 s).
            JarRun.Result r = JarRun.run(Duration.ofSeconds(60), "loadgen", "--connect", "127.0.0.1:" + port,
                    "--conns", "4", "--size", "512", "--depth", "2", "--seconds", "4");
            assertEquals(0, r.status(), r.describe());
            Matcher m = result(r);
            assertEquals("0", m.group(7), "errors\n" + r.describe());
            assertTrue(Long.parseLong(m.group(6)) > 0, "messages\n" + r.describe());
            assertTrue(Long.parseLong(m.group(1)) > 0, "messages/s\n" + r.describe());
            long p50 = Long.parseLong(m.group(3));
            long p99 = Long.parseLong(m.group(4));
            long p999 = Long.parseLong(m.group(5));
            assertTrue(p50 <= p99 && p99 <= p999, "percentiles in order\n" + r.describe());
            for (int second = 1; second <= 2; second++) { // 3 too, unless the loaded machine delays timers
                assertTrue(r.stderr().contains("loadgen: " + second + "s messages/s="),
                        "a progress line for second " + second + " on stderr\n" + r.describe());
            }
            echo.terminate();
            assertEquals(0, echo.finish(Duration.ofSeconds(15)).status());
        }
    }

    @Test
    void againstAServerThatFlipsABitItCountsErrorsAndExits1() throws Exception {
        try (ServerSocket corrupting = ProxyIT.listen()) {
            Background.call("bit-flipper", () -> {
                while (!corrupting.isClosed()) {
                    Socket s = corrupting.accept();
                    Background.call("bit-flipper-conn", () -> flipOneBit(s));
                }
                return null;
            });
            JarRun.Result r = JarRun.run(Duration.ofSeconds(60), "loadgen", "--connect",
                    "127.0.0.1:" + corrupting.getLocalPort(), "--conns", "2", "--size", "64", "--seconds", "1");
            assertEquals(1, r.status(), r.describe());
            Matcher m = result(r);
            assertNotEquals("0", m.group(7), "errors\n" + r.describe());
            assertTrue(m.group(9) != null && m.group(9).contains("differs from what was sent"), r.describe());
        }
    }

    @Test
    void againstAClosedPortItCountsOneErrorPerConnectionAndExits1() throws Exception {
        int closedPort;
        try (ServerSocket s = ProxyIT.listen()) {
            closedPort = s.getLocalPort();
        }
        JarRun.Result r = JarRun.run(Duration.ofSeconds(60), "loadgen", "--connect", "127.0.0.1:" + closedPort,
                "--conns", "3", "--seconds", "1");
        assertEquals(1, r.status(), r.describe());
        Matcher m = result(r);
        assertEquals("3", m.group(7), "errors\n" + r.describe());
        // the library's message as it is: the target once (no backend 'connect(X): ' after it), no
        // exception class name
        String target = "127.0.0.1:" + closedPort;
        assertTrue(Pattern.compile("^connect to " + Pattern.quote(target)
                + ": (ECONNREFUSED \\()?Connection refused\\)?$")
                .matcher(String.valueOf(m.group(9))).matches(), r.describe());
    }

    /** Echoes, but with bit 0 of the 1000th byte flipped. */
    private static Void flipOneBit(Socket s) throws Exception {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[4096];
            long seen = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (seen <= 999 && 999 < seen + n) {
                    buf[(int) (999 - seen)] ^= 1;
                }
                seen += n;
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketException resetByTheLoadGenerator) {
            // it aborts the connection on the first wrong byte
        }
        return null;
    }

    static Matcher result(JarRun.Result r) {
        for (String line : r.stdoutLines()) {
            Matcher m = RESULT.matcher(line);
            if (m.matches()) {
                return m;
            }
        }
        return fail("no result line\n" + r.describe());
    }
}
