package dev.pollen.group;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pollen.loop.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cross-loop hand-offs lose nothing: the four loops of a group send each other 10,000,000
 * callbacks with {@code callSoonThreadsafe}, and every one runs exactly once, on the loop it was
 * sent to, in the order its sender sent it.
 *
 * <p>Each callback carries (sender, sequence number per sender and receiver); the receiver checks
 * the number is the next it expects from that sender, so a lost, duplicated or reordered hand-off
 * is caught where it happens. Senders stop sending to a receiver that is more than
 * {@link #WINDOW} behind (the inbox is unbounded; this keeps the test's heap small).
 */
@Timeout(120)
class LoopGroupHandoffTest {

    private static final int LOOPS = 4;
    private static final int TOTAL = 10_000_000;
    private static final int PER_PAIR = TOTAL / LOOPS / LOOPS;
    private static final int BATCH = 2_000;
    private static final long WINDOW = 50_000;

    private final ParkingGroups groups = new ParkingGroups();

    /** received[receiver * LOOPS + sender]: written by the receiver only. */
    private final AtomicLongArray received = new AtomicLongArray(LOOPS * LOOPS);
    private final AtomicInteger wrong = new AtomicInteger();

    @Test
    void tenMillionHandOffsFromFourLoopsAllRunExactlyOnce() throws Exception {
        try (LoopGroup group = groups.group(LOOPS)) {
            for (int p = 0; p < LOOPS; p++) {
                EventLoop loop = group.loop(p);
                Sender s = new Sender(group, p);
                loop.callSoonThreadsafe(s);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(100).toNanos();
            while (total() < TOTAL && System.nanoTime() < deadline && wrong.get() == 0) {
                Thread.sleep(10);
            }
            assertEquals(0, wrong.get(), "hand-offs that ran out of order, twice, or elsewhere");
            for (int r = 0; r < LOOPS; r++) {
                for (int p = 0; p < LOOPS; p++) {
                    assertEquals(PER_PAIR, received.get(r * LOOPS + p),
                            "callbacks from loop " + p + " run on loop " + r);
                }
            }
            // nothing more arrives: one more round trip through every loop, then count again
            for (EventLoop l : group.loops()) {
                group.submit(l, () -> { }).join();
            }
            assertEquals(TOTAL, total());
            assertEquals(List.of(), groups.errors);
        }
    }

    private long total() {
        long sum = 0;
        for (int i = 0; i < LOOPS * LOOPS; i++) {
            sum += received.get(i);
        }
        return sum;
    }

    /** Runs on loop {@code sender}: sends a batch round-robin, then yields its loop. */
    private final class Sender implements Runnable {
        private final LoopGroup group;
        private final int sender;
        private final long[] sent = new long[LOOPS];
        private int nextReceiver;
        private long total;

        Sender(LoopGroup group, int sender) {
            this.group = group;
            this.sender = sender;
        }

        @Override
        public void run() {
            EventLoop own = group.loop(sender);
            for (int i = 0; i < BATCH && total < (long) PER_PAIR * LOOPS; i++) {
                int r = nextReceiver;
                if (sent[r] - received.get(r * LOOPS + sender) > WINDOW) {
                    // receiver r lags: wait a little (a timer, so this loop can run its inbox)
                    own.callLater(Duration.ofNanos(200_000), this);
                    return;
                }
                if (sent[r] == PER_PAIR) {
                    nextReceiver = (r + 1) % LOOPS;
                    continue;
                }
                group.loop(r).callSoonThreadsafe(new HandOff(group.loop(r), r, sender, sent[r]));
                sent[r]++;
                total++;
                nextReceiver = (r + 1) % LOOPS;
            }
            if (total < (long) PER_PAIR * LOOPS) {
                own.callSoon(this);
            }
        }
    }

    /** One hand-off: checks it is the next one its receiver expects from its sender. */
    private final class HandOff implements Runnable {
        private final EventLoop target;
        private final int receiver;
        private final int sender;
        private final long seq;

        HandOff(EventLoop target, int receiver, int sender, long seq) {
            this.target = target;
            this.receiver = receiver;
            this.sender = sender;
            this.seq = seq;
        }

        @Override
        public void run() {
            int slot = receiver * LOOPS + sender;
            long expected = received.get(slot);
            if (seq != expected || EventLoop.currentOrNull() != target) {
                wrong.incrementAndGet();
            }
            received.lazySet(slot, expected + 1);
        }
    }
}
