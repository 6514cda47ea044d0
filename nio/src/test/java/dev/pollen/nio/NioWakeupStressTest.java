package dev.pollen.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No wakeup is lost when wakeups race with the end of a poll: the loop blocks in {@code poll(-1)}
 * whenever its inbox is empty, so a single lost wakeup hangs it and the timeout fails the test.
 * This is the race the flag-clearing order in {@link NioPoller} exists for (clearing before the
 * select instead of after it would lose a wakeup issued while the previous poll was dispatching).
 */
class NioWakeupStressTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void everyHandOffWakesTheBlockedPoller() throws Exception {
        int n = 50_000;
        ConcurrentLinkedQueue<Integer> inbox = new ConcurrentLinkedQueue<>();
        try (NioPoller poller = new NioPoller()) {
            Thread producer = new Thread(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int i = 0; i < n; i++) {
                    inbox.add(i);
                    poller.wakeup();
                    for (int spin = rnd.nextInt(200); spin > 0; spin--) {
                        Thread.onSpinWait(); // vary where the next wakeup lands in the poll
                    }
                }
            }, "wakeup-producer");
            producer.start();
            int received = 0;
            while (received < n) {
                while (inbox.poll() != null) {
                    received++;
                }
                if (received < n) {
                    poller.poll(-1);
                }
            }
            producer.join();
            assertEquals(n, received);
        }
    }
}
