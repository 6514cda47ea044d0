package dev.pollen.loop;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Debug mode's check that a task does not hold a lock across an await. A Java program cannot ask
 * "which monitors does this thread hold" cheaply ({@link Thread#holdsLock} needs the object), so
 * this asks the {@link ThreadMXBean} for a full dump of the loop thread (tens to hundreds of
 * microseconds): affordable in debug mode only.
 *
 * <p>Why it matters: on JDK 21 to 23 a suspension under a monitor fails ("pinned"), but on JDK 24+
 * the continuation yields with the monitor still held, so another task entering the same
 * {@code synchronized} block on the loop thread blocks the loop (or re-enters it, breaking
 * exclusion); a {@code java.util.concurrent} lock is owned by the loop thread, so every other task
 * re-enters it freely.
 */
final class HeldLocks {

    private static final String CONTINUATION = "jdk.internal.vm.Continuation";

    private HeldLocks() {
    }

    /**
     * Describes the monitors taken inside the running task and the {@code java.util.concurrent}
     * locks owned by the loop thread, or returns null when there are none (or the JVM cannot
     * tell).
     */
    static String describe() {
        ThreadMXBean mx;
        ThreadInfo info;
        try {
            mx = ManagementFactory.getThreadMXBean();
            boolean monitors = mx.isObjectMonitorUsageSupported();
            boolean synchronizers = mx.isSynchronizerUsageSupported();
            ThreadInfo[] infos = mx.getThreadInfo(new long[] {Thread.currentThread().threadId()},
                    monitors, synchronizers);
            info = infos.length == 1 ? infos[0] : null;
        } catch (RuntimeException | LinkageError e) {
            return null; // java.management absent or refusing: nothing we can check
        }
        if (info == null) {
            return null;
        }
        StackTraceElement[] stack = info.getStackTrace();
        // Frames above the continuation's entry belong to the task; monitors taken below it (by
        // whoever runs the loop) are not the task's business.
        int entry = stack.length;
        for (int i = 0; i < stack.length; i++) {
            if (CONTINUATION.equals(stack[i].getClassName())) {
                entry = i;
                break;
            }
        }
        List<String> held = new ArrayList<>();
        for (MonitorInfo m : info.getLockedMonitors()) {
            int depth = m.getLockedStackDepth();
            if (depth >= 0 && depth < entry) {
                held.add("monitor of " + m + " (synchronized, taken in " + m.getLockedStackFrame()
                        + ")");
            }
        }
        for (LockInfo l : info.getLockedSynchronizers()) {
            held.add("java.util.concurrent lock " + l);
        }
        return held.isEmpty() ? null : String.join(", ", held);
    }
}
