package dev.pollen.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real signals, sent with {@code kill} as an operator or a supervisor would, reach
 * {@code EventLoop.addSignalHandler} in a running {@code echo} jar: it says which one it got, closes
 * the connections it serves and exits 0 (the JVM's own handling would exit 130/143 at once).
 */
class SignalIT {

    @ParameterizedTest(name = "kill -{0} on --poller {1}")
    @CsvSource({"TERM, nio", "INT, nio", "TERM, epoll", "INT, netty-epoll"})
    void aSignalStopsTheServerCleanly(String signal, String poller) throws Exception {
        EchoIT.requireAvailable(poller);
        assumeFalse(signal.equals("INT") && ignoredHere(2), "SIGINT is ignored by this test's "
                + "process (inherited: a shell starts background jobs without job control with "
                + "SIGINT ignored), so the jar inherits that too, as any program would");
        try (JarRun echo = JarRun.start("echo", "--port", "0", "--poller", poller)) {
            int port = Integer.parseInt(echo.awaitStdout(EchoIT.LISTENING, Duration.ofSeconds(30)).group(1));
            try (Socket open = EchoIT.connect(port)) {
                open.getOutputStream().write('x');
                assertEquals('x', open.getInputStream().read(), "the server serves before the signal");
                Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(echo.pid()))
                        .inheritIO().start();
                assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill failed");
                JarRun.Result r = echo.finish(Duration.ofSeconds(60)); // a hang still fails; a loaded CI machine is slow
                assertEquals(0, r.status(), "SIG" + signal + " is a clean stop\n" + r.describe());
                assertTrue(r.stderr().contains("echo: SIG" + signal + " received, closing"), r.describe());
                assertEquals(-1, open.getInputStream().read(), "the open connection was closed");
            }
        }
    }

    /** Whether this process ignores signal {@code number} (the {@code SigIgn} mask of /proc). */
    private static boolean ignoredHere(int number) throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false; // not Linux: no way to tell, and the jar's own start decides
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                return (mask & (1L << (number - 1))) != 0;
            }
        }
        return false;
    }
}
