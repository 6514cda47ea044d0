package dev.pollen.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Counts this process's open file descriptors through {@code /proc/self/fd} (Linux); tests that
 * need it skip elsewhere, with the reason.
 *
 * <p><b>Threading:</b> any thread.
 */
public final class FdCount {

    private static final Path FDS = Path.of("/proc/self/fd");

    private FdCount() {
    }

    /** Skips the calling test where {@code /proc/self/fd} does not exist. */
    public static void assumeAvailable() {
        assumeTrue(Files.isDirectory(FDS), "descriptor counting needs /proc/self/fd (Linux)");
    }

    /**
     * The number of open descriptors now (the directory listing's own descriptor excluded).
     *
     * @return the count
     */
    public static int now() {
        try (Stream<Path> s = Files.list(FDS)) {
            return (int) s.count() - 1;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The number of open descriptors that are pipes ({@code pipe:[inode]}), such as
     * {@code Net.pipe}'s splice pipes.
     *
     * @return the count
     */
    public static int pipes() {
        int n = 0;
        try (Stream<Path> s = Files.list(FDS)) {
            for (Path p : s.toList()) {
                try {
                    if (Files.readSymbolicLink(p).toString().startsWith("pipe:")) {
                        n++;
                    }
                } catch (IOException gone) {
                    // closed meanwhile (the listing's own descriptor)
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return n;
    }

    /**
     * The count once it has dropped to {@code expected}, or after two seconds of trying (some
     * backends and the JDK close a descriptor a moment later, or when a cleaner runs).
     *
     * @param expected the count to wait for
     * @return the last count seen
     */
    public static int settled(int expected) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        int n = now();
        while (n > expected && System.nanoTime() < deadline) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            n = now();
        }
        return n;
    }

    /**
     * What the descriptors point to, for a failure message.
     *
     * @return e.g. {@code [0 -> /dev/null, 5 -> socket:[1234], ...]}
     */
    public static String describe() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(FDS)) {
            for (Path p : s.toList()) {
                try {
                    out.add(p.getFileName() + " -> " + Files.readSymbolicLink(p));
                } catch (IOException gone) {
                    // closed meanwhile (the listing's own descriptor)
                }
            }
        } catch (IOException e) {
            return "unavailable: " + e;
        }
        return out.toString();
    }
}
