package dev.pollen.spi;

import java.util.Arrays;

/**
 * A pool of empty kernel pipes that {@link AbstractSplicePipe#release()} gives back and
 * {@link AbstractSplicePipe#reserve()} takes again, so a splicing direction that gives its pipe
 * back whenever it is empty costs no {@code pipe2} or {@code close} per burst. A backend keeps one
 * instance for the whole process (a pool per loop would need a close of the loop's socket layer
 * to give its descriptors back; a bounded process-wide pool outlives loops harmlessly).
 *
 * <p>It holds at most the {@code max} each call passes (the pipe reads
 * {@value AbstractSplicePipe#POOL_PROPERTY} when it is made; 0: no pool, a release closes its
 * pipe and a reservation makes a new one). Each entry keeps the pipe's capacity and the size it
 * was asked for; a take asking another size does not get it. Only empty pipes may be given: the
 * pool does not look into them.
 *
 * <p><b>Threading:</b> any thread (one lock, held for a few stores; a loop takes and gives at
 * most once per readiness of a splicing direction).
 */
public final class PipePool {

    /** Default number of pooled pipes (two descriptors each). */
    public static final int DEFAULT_SIZE = 16;

    private final Object lock = new Object();
    private int[] readEnds = new int[DEFAULT_SIZE];
    private int[] writeEnds = new int[DEFAULT_SIZE];
    private int[] capacities = new int[DEFAULT_SIZE];
    private int[] sizes = new int[DEFAULT_SIZE];
    private int count;

    /**
     * An empty pool; a backend keeps one for the process.
     *
     * <p><b>Threading:</b> any thread.
     */
    public PipePool() {
    }

    /**
     * Hands the most recently pooled pipe to {@code into} if it was asked for with
     * {@code requestedSize} and the pool is on ({@code max > 0}).
     *
     * <p><b>Threading:</b> any thread; {@code into}'s loop thread in practice.
     *
     * @param max           the pool's size in force for the caller; 0 or less: no pool
     * @param requestedSize the pipe size the caller asks for (0: the kernel's default)
     * @param into          the pipe that takes the kernel pipe
     * @return false if the pool has no such pipe
     */
    boolean take(int max, int requestedSize, AbstractSplicePipe into) {
        if (max <= 0) {
            return false;
        }
        int r;
        int w;
        int c;
        synchronized (lock) {
            if (count == 0 || sizes[count - 1] != requestedSize) {
                return false;
            }
            count--;
            r = readEnds[count];
            w = writeEnds[count];
            c = capacities[count];
        }
        into.hold(r, w, c);
        return true;
    }

    /**
     * Pools an empty pipe if fewer than {@code max} are pooled.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return false if the pool is full or off (the caller closes the pipe)
     */
    boolean give(int max, int readEnd, int writeEnd, int capacity, int requestedSize) {
        if (max <= 0) {
            return false;
        }
        synchronized (lock) {
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

    /**
     * Pipes in the pool now (for tests and diagnostics).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the count
     */
    public int size() {
        synchronized (lock) {
            return count;
        }
    }
}
