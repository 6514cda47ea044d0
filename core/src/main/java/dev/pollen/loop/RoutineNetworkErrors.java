package dev.pollen.loop;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Tells the network events a server meets every day (a peer that reset the connection or went
 * away, a write to a connection the peer closed, a timeout, a refused connect) from errors worth
 * a stack trace. See {@link ExceptionContext#isRoutineNetworkError()}.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
final class RoutineNetworkErrors {

    /**
     * What the errno-carrying messages of every backend contain for these events: the POSIX
     * layer's errno names ({@code "read: ECONNRESET (Connection reset by peer)"}), the JDK's and
     * Netty's strerror texts.
     */
    private static final String[] MARKERS = {
        "econnreset", "connection reset",
        "epipe", "broken pipe",
        "econnaborted", "connection aborted", "software caused connection abort",
        "etimedout", "timed out",
        "enotconn", "not connected",
    };

    private RoutineNetworkErrors() {
    }

    /** The routine network error in {@code t} or its causes (through wrappers), or null. */
    static Throwable find(Throwable t) {
        for (int depth = 0; t != null && depth < 16; depth++) {
            if (isRoutine(t)) {
                return t;
            }
            boolean wrapper = t instanceof CompletionException || t instanceof ExecutionException
                    || t instanceof UncheckedIOException || t instanceof IOException;
            if (!wrapper || t.getCause() == t) {
                return null;
            }
            t = t.getCause();
        }
        return null;
    }

    private static boolean isRoutine(Throwable t) {
        if (t instanceof SocketTimeoutException || t instanceof ConnectException
                || t instanceof EOFException) {
            return true; // timeouts, refused/unreachable-by-timeout connects, a peer gone mid-read
        }
        if (!(t instanceof IOException) || t.getMessage() == null) {
            return false;
        }
        if (t.getClass().getName().startsWith("javax.net.ssl.")) {
            return false; // a TLS failure says something about the peer's configuration
        }
        String m = t.getMessage().toLowerCase(Locale.ROOT);
        for (String marker : MARKERS) {
            if (m.contains(marker)) {
                return true;
            }
        }
        return false;
    }
}
