package dev.pollen.bench.echo;

import java.lang.management.ManagementFactory;

/**
 * Reads one thread's CPU time and allocated bytes, so a benchmark can charge a server loop's
 * costs to the messages it echoed while another thread (the client) drives it.
 *
 * <p>CPU time is {@code ThreadMXBean.getThreadCpuTime} (user + system time of that thread, from
 * the kernel's per-thread clock); allocation is HotSpot's per-thread TLAB accounting
 * ({@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes}). Both are cumulative since
 * the thread started; take differences.
 *
 * <p><b>Threading:</b> any thread.
 */
public final class ThreadMeter {

    private static final com.sun.management.ThreadMXBean THREADS = threads();

    private final long threadId;

    /**
     * A meter for {@code thread}.
     *
     * @param thread a live thread
     * @throws IllegalStateException if this JVM cannot measure other threads' CPU time
     */
    public ThreadMeter(Thread thread) {
        if (thread == null) {
            throw new IllegalArgumentException("thread must not be null");
        }
        this.threadId = thread.threadId();
    }

    private static com.sun.management.ThreadMXBean threads() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t)) {
            throw new IllegalStateException("this JVM has no com.sun.management.ThreadMXBean: "
                    + "server CPU time and allocation cannot be measured");
        }
        if (!t.isThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure another thread's CPU time");
        }
        if (!t.isThreadCpuTimeEnabled()) {
            t.setThreadCpuTimeEnabled(true);
        }
        if (t.isThreadAllocatedMemorySupported() && !t.isThreadAllocatedMemoryEnabled()) {
            t.setThreadAllocatedMemoryEnabled(true);
        }
        return t;
    }

    /**
     * The thread's CPU time so far.
     *
     * @return nanoseconds, or -1 if the thread has ended
     */
    public long cpuNanos() {
        return THREADS.getThreadCpuTime(threadId);
    }

    /**
     * The bytes the thread has allocated on the heap so far.
     *
     * @return bytes, or -1 if unsupported or the thread has ended
     */
    public long allocatedBytes() {
        return THREADS.getThreadAllocatedBytes(threadId);
    }
}
