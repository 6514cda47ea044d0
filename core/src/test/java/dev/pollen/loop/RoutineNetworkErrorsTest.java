package dev.pollen.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pollen.net.IncompleteReadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * Which exceptions {@link ExceptionContext#isRoutineNetworkError()} calls routine: the messages
 * are those each backend really produces (the POSIX layer's errno names, the JDK's and Netty's
 * strerror texts); the per-poller {@code StreamContract} checks a real reset on every backend.
 */
class RoutineNetworkErrorsTest {

    @Test
    void routineAndUnexpectedErrors() {
        Map<Throwable, Boolean> cases = new LinkedHashMap<>();
        // epoll / kqueue (PosixErrors)
        cases.put(new SocketException("read: ECONNRESET (Connection reset by peer)"), true);
        cases.put(new SocketException("writev: EPIPE (Broken pipe)"), true);
        cases.put(new ConnectException("connect(127.0.0.1:1): ECONNREFUSED (Connection refused)"), true);
        cases.put(new SocketException("getpeername: ENOTCONN (Transport endpoint is not connected)"), true);
        // nio (the JDK's texts), netty-epoll (strerror)
        cases.put(new SocketException("Connection reset"), true);
        cases.put(new IOException("Broken pipe"), true);
        cases.put(new IOException("Connection reset by peer"), true);
        cases.put(new IOException("writev(..) failed: Broken pipe"), true);
        cases.put(new SocketTimeoutException("idle for 30 s"), true);
        cases.put(new SocketException("Software caused connection abort"), true);
        cases.put(new IncompleteReadException(new byte[3], 10), true);
        // wrapped the way awaits and stream code wrap them
        cases.put(new CompletionException(new SocketException("Connection reset")), true);
        cases.put(new UncheckedIOException(new IOException("Broken pipe")), true);
        cases.put(new IOException("upstream", new ConnectException("refused")), true);
        // not routine: bugs, configuration, TLS, other I/O
        cases.put(new IllegalStateException("Connection reset"), false);
        cases.put(new RuntimeException(new SocketException("Connection reset")), false);
        cases.put(new BindException("bind(0.0.0.0:80): EACCES (Permission denied)"), false);
        cases.put(new IOException("No space left on device"), false);
        cases.put(new SSLHandshakeException("Connection reset"), false);
        cases.put(new NullPointerException(), false);
        for (Map.Entry<Throwable, Boolean> c : cases.entrySet()) {
            assertEquals(c.getValue(), new ExceptionContext("m", c.getKey(), null).isRoutineNetworkError(),
                    c.getKey().toString());
        }
        assertEquals(false, new ExceptionContext("no exception", null, null).isRoutineNetworkError());
    }
}
