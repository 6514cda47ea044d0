package dev.pollen.linux.uring;

import dev.pollen.posix.DirectAddress;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The deadline of a blocking wait: one {@code IORING_OP_TIMEOUT} with an absolute
 * {@code CLOCK_MONOTONIC} time ({@link System#nanoTime()}'s clock on Linux), kept armed across
 * waits.
 *
 * <p>Why not Netty's own: {@code IoUringIoHandler.run} submits a fresh relative timeout for every
 * wait with a deadline and leaves it in the kernel when the wait ends for another reason, so a
 * busy loop with a timer pending piles up one kernel request per wakeup, and closing the ring
 * then waits for them. Here at most one is armed: a wait whose deadline is not earlier than the
 * armed one keeps it (a timeout that fires early makes the poller's base wait again for the
 * rest); an earlier deadline removes it ({@code IORING_OP_TIMEOUT_REMOVE}) and arms a new one.
 *
 * <p><b>Threading:</b> loop thread only; Netty calls {@link #handle} and {@link #close()} on it.
 */
final class WaitTimer implements IoUringIoHandle {

    private static final byte OP_TIMEOUT = 11;
    private static final byte OP_TIMEOUT_REMOVE = 12;
    private static final int IORING_TIMEOUT_ABS = 1;
    /** A deadline this much later than the armed one still keeps it (the loop's own jitter). */
    private static final long SLACK_NANOS = 20_000;

    /** struct __kernel_timespec; the kernel copies it when the request is submitted. */
    private final ByteBuffer timespec = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    private final long timespecAddress;
    private IoRegistration netty;
    private long armed;
    private long armedDeadline;
    private short tag;

    WaitTimer() {
        this.timespecAddress = DirectAddress.base(timespec);
    }

    void attach(IoRegistration registration) {
        this.netty = registration;
    }

    /**
     * Makes sure a timeout fires no later than {@code deadline} (and not much earlier).
     *
     * @param deadline absolute, {@link System#nanoTime()} based
     */
    void arm(long deadline) {
        if (armed != 0) {
            if (armedDeadline <= deadline + SLACK_NANOS && armedDeadline >= deadline - SLACK_NANOS) {
                return;
            }
            if (armedDeadline < deadline) {
                return; // fires early; the base waits again and arms the right one then
            }
            remove();
        }
        long d = Math.max(deadline, 0);
        timespec.putLong(0, d / 1_000_000_000L);
        timespec.putLong(8, d % 1_000_000_000L);
        tag++;
        armed = netty.submit(new IoUringIoOps(OP_TIMEOUT, (byte) 0, (short) 0, -1, 0L, timespecAddress,
                1, IORING_TIMEOUT_ABS, tag, (short) 0, (short) 0, 0, 0L));
        armedDeadline = deadline;
    }

    private void remove() {
        netty.submit(new IoUringIoOps(OP_TIMEOUT_REMOVE, (byte) 0, (short) 0, -1, 0L, armed, 0, 0,
                (short) 0, (short) 0, (short) 0, 0, 0L));
        armed = 0;
    }

    /**
     * The armed timeout fired (or was removed): nothing is armed any more. The wait it ended
     * reports nothing; the poller's base decides whether to wait again.
     *
     * <p><b>Threading:</b> loop thread (called by Netty).
     */
    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        IoUringIoEvent e = (IoUringIoEvent) event;
        if (e.opcode() == OP_TIMEOUT && armed != 0 && e.data() == tag) {
            armed = 0;
        }
    }

    /**
     * The ring is closing: removes the armed timeout, so draining the ring does not wait for it.
     *
     * <p><b>Threading:</b> loop thread (called by Netty).
     */
    @Override
    public void close() {
        if (armed != 0 && netty != null) {
            remove();
        }
    }
}
