package dev.pollen.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Counts this process's open file descriptors through {@code /proc/self/fd} (Linux); tests that
 * need it skip elsewhere, with the reason.
 *
 * <p>A count is the whole process's: other threads of the test JVM open and close descriptors
 * while a test measures. The JDK's {@code process reaper} closes a child's stdin and stderr
 * pipes only after {@code Process.waitFor()} has returned (JNA spawns {@code ldconfig -p} so when
 * it first loads a library), and the {@code Cleaner} closes unreachable streams and sockets. A
 * test that must prove that something it made left nothing open compares
 * {@linkplain #snapshot() snapshots} with {@link #openedSince} instead of counts.
 *
 * <p><b>Threading:</b> any thread.
 */
public final class FdCount {

    private static final Path FDS = Path.of("/proc/self/fd");
    /** Where the listing's own descriptor points. */
    private static final String OWN_LISTING = "/proc/" + ProcessHandle.current().pid() + "/fd";

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
        return retried(FdCount::now, n -> n <= expected);
    }

    /**
     * Reads {@code read} until {@code done} accepts the value or two seconds have passed,
     * collecting garbage and pausing 20 ms between reads (a cleaner may be what closes).
     */
    private static <T> T retried(java.util.function.Supplier<T> read,
            java.util.function.Predicate<T> done) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        T value = read.get();
        while (!done.test(value) && System.nanoTime() < deadline) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            value = read.get();
        }
        return value;
    }

    /**
     * Every open descriptor and what it points to ({@code socket:[inode]}, {@code pipe:[inode]},
     * {@code anon_inode:[eventpoll]}, a path), the listing's own descriptor excluded.
     *
     * @return descriptor number to link target, in number order
     */
    public static Map<Integer, String> snapshot() {
        Map<Integer, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(FDS)) {
            for (Path p : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (!target.equals(OWN_LISTING)) {
                        out.put(Integer.parseInt(p.getFileName().toString()), target);
                    }
                } catch (IOException gone) {
                    // closed meanwhile (the listing's own descriptor)
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /**
     * The descriptors open now that were not open in {@code before}: a number that was free, or
     * that now points elsewhere. Descriptors closed since (by anyone) are not in it. Waits up to
     * two seconds for the answer to become empty, as {@link #settled} does.
     *
     * @param before a {@link #snapshot()} taken earlier
     * @return what was opened since {@code before} and is still open, in number order
     */
    public static Map<Integer, String> openedSince(Map<Integer, String> before) {
        return retried(() -> diff(snapshot(), before), Map::isEmpty);
    }

    /** The entries of {@code now} that {@code before} does not have. */
    private static Map<Integer, String> diff(Map<Integer, String> now,
            Map<Integer, String> before) {
        Map<Integer, String> out = new TreeMap<>(now);
        out.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())));
        return out;
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
