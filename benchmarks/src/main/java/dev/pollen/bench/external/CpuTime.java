package dev.pollen.bench.external;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's CPU time as the kernel accounts it: {@code utime} and {@code stime} from
 * {@code /proc/<pid>/stat} (every thread of the process, also those that have ended: for a JVM
 * that is the application threads plus the JIT compiler and the garbage collector). The kernel
 * keeps them in clock ticks ({@code getconf CLK_TCK}, 100 per second on Linux), so a difference
 * over a window of a few seconds is exact to about 1%.
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param userNanos   time in user mode
 * @param systemNanos time in the kernel on the process's behalf (system calls, and on loopback
 *                    much of the TCP work)
 */
record CpuTime(long userNanos, long systemNanos) {

    /** Nanoseconds per clock tick. */
    static final long TICK_NANOS = 1_000_000_000L / clockTicks();

    /**
     * Reads a process's CPU time now.
     *
     * @param pid a live process
     * @return its CPU time so far
     * @throws IllegalStateException if the process is gone or this is not Linux
     */
    static CpuTime of(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        String s;
        try {
            s = Files.readString(stat, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + stat + " (has process " + pid
                    + " ended? the external benchmarks need Linux's /proc): " + e, e);
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses; fields after the
        // last ')' are state (3), ..., utime (14), stime (15)
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return new CpuTime(Long.parseLong(f[11]) * TICK_NANOS, Long.parseLong(f[12]) * TICK_NANOS);
    }

    /**
     * User plus system time.
     *
     * @return nanoseconds
     */
    long totalNanos() {
        return userNanos + systemNanos;
    }

    /**
     * The CPU time used since {@code earlier}.
     *
     * @param earlier an earlier reading of the same process
     * @return the difference
     */
    CpuTime minus(CpuTime earlier) {
        return new CpuTime(userNanos - earlier.userNanos, systemNanos - earlier.systemNanos);
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                    .strip();
            if (p.waitFor() == 0 && out.matches("\\d+")) {
                return Long.parseLong(out);
            }
        } catch (IOException e) {
            // no getconf: Linux's USER_HZ is 100 on every architecture
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
