package dev.pollen.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Wakeup coalescing: at most one kernel trigger between polls, none while awake. */
class WakeupGateTest {

    @Test
    void anAwakeLoopIsNeverTriggeredButItsNextPollDoesNotBlock() {
        WakeupGate g = new WakeupGate();
        assertFalse(g.requestWakeup(), "the loop is awake: no system call");
        assertFalse(g.requestWakeup());
        assertFalse(g.enterWait(), "a pending wakeup: the poll must not block");
        assertTrue(g.exitWait(), "and the wakeup is consumed");
        assertTrue(g.enterWait(), "nothing left over: the next poll may block");
        assertFalse(g.exitWait());
    }

    @Test
    void onlyTheFirstWakeupOfABlockedLoopTriggers() {
        WakeupGate g = new WakeupGate();
        assertTrue(g.enterWait());
        assertTrue(g.requestWakeup(), "the loop is blocked: trigger");
        assertFalse(g.requestWakeup(), "already triggered");
        assertTrue(g.exitWait());
        assertEquals(WakeupGate.AWAKE, g.state());
    }

    @Test
    void aBurstFromManyThreadsTriggersExactlyOnce() throws Exception {
        WakeupGate g = new WakeupGate();
        assertTrue(g.enterWait());
        AtomicInteger triggers = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        Thread[] ts = new Thread[4];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int j = 0; j < 10_000; j++) {
                    if (g.requestWakeup()) {
                        triggers.incrementAndGet();
                    }
                }
            });
            ts[i].start();
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(1, triggers.get());
        assertTrue(g.exitWait());
    }

    @Test
    void afterCloseNothingTriggers() {
        WakeupGate g = new WakeupGate();
        assertTrue(g.enterWait());
        g.close();
        assertFalse(g.requestWakeup());
        assertFalse(g.exitWait());
        assertEquals(WakeupGate.CLOSED, g.state());
    }
}
