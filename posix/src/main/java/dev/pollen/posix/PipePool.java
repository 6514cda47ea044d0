package dev.pollen.posix;

import java.util.Arrays;

/**
 * The process-wide pool of empty splice pipes that {@link KernelPipe#release()} gives back and
 * {@link KernelPipe#reserve()} takes again (see {@link KernelPipe}): at most
 * {@code pollen.splice.pool} pipes (default {@value #DEFAULT_SIZE}; a {@link KernelPipe} reads it
 * when it is made and passes it to each call; 0: no pool, a release closes its pipe and a
 * reservation makes a new one). Each entry keeps the pipe's capacity and the size it was asked
 * for; a take asking another size does not get it.
 *
 * <p><b>Threading:</b> any thread (one lock, held for a few stores; a loop takes and gives at
 * most once per readiness of a splicing direction).
 */
final class PipePool {

    /** Default number of pooled pipes (two descriptors each). */
    static final int DEFAULT_SIZE = 16;

    private static final Object LOCK = new Object();
    private static int[] readEnds = new int[DEFAULT_SIZE];
    private static int[] writeEnds = new int[DEFAULT_SIZE];
    private static int[] capacities = new int[DEFAULT_SIZE];
    private static int[] sizes = new int[DEFAULT_SIZE];
    private static int count;

    private PipePool() {
    }

    /**
     * Hands the most recently pooled pipe to {@code into} ({@link KernelPipe#adopt}) if it was
     * asked for with {@code requestedSize} and the pool is on ({@code max > 0}).
     *
     * @return false if the pool has no such pipe
     */
    static boolean take(int max, int requestedSize, KernelPipe into) {
        if (max <= 0) {
            return false;
        }
        int r;
        int w;
        int c;
        synchronized (LOCK) {
            if (count == 0 || sizes[count - 1] != requestedSize) {
                return false;
            }
            count--;
            r = readEnds[count];
            w = writeEnds[count];
            c = capacities[count];
        }
        into.adopt(r, w, c);
        return true;
    }

    /**
     * Pools an empty pipe if fewer than {@code max} are pooled.
     *
     * @return false if the pool is full (the caller closes the pipe)
     */
    static boolean give(int max, int readEnd, int writeEnd, int capacity, int requestedSize) {
        if (max <= 0) {
            return false;
        }
        synchronized (LOCK) {
            if (count >= max) {
                return false;
            }
            if (count == readEnds.length) {
                int n = count * 2;
                readEnds = Arrays.copyOf(readEnds, n);
                writeEnds = Arrays.copyOf(writeEnds, n);
                capacities = Arrays.copyOf(capacities, n);
                sizes = Arrays.copyOf(sizes, n);
            }
            readEnds[count] = readEnd;
            writeEnds[count] = writeEnd;
            capacities[count] = capacity;
            sizes[count] = requestedSize;
            count++;
            return true;
        }
    }

    /** Pipes in the pool now (for tests). */
    static int size() {
        synchronized (LOCK) {
            return count;
        }
    }
}
