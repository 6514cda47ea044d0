package dev.pollen.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pollen.testkit.ParkingPoller;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LoopLocal}: one value per loop, made once, kept in the loop. */
class LoopLocalTest {

    private final List<EventLoop> loops = new ArrayList<>();

    private EventLoop newLoop() {
        EventLoop loop = EventLoop.builder().poller(new ParkingPoller()).build();
        loops.add(loop);
        return loop;
    }

    @AfterEach
    void close() {
        loops.forEach(EventLoop::close);
    }

    @Test
    void eachLoopHasItsOwnValueMadeOnceWithThatLoop() {
        AtomicInteger made = new AtomicInteger();
        LoopLocal<List<EventLoop>> local = LoopLocal.withInitial(l -> {
            made.incrementAndGet();
            return List.of(l);
        });
        EventLoop a = newLoop();
        EventLoop b = newLoop();
        assertSame(a, local.get(a).get(0));
        assertSame(b, local.get(b).get(0));
        assertSame(local.get(a), local.get(a));
        assertNotSame(local.get(a), local.get(b));
        assertEquals(2, made.get());
    }

    @Test
    void anInitialFunctionMayUseAnotherLoopLocal() {
        LoopLocal<String> inner = LoopLocal.withInitial(l -> "inner");
        LoopLocal<String> outer = LoopLocal.withInitial(l -> inner.get(l) + "+outer");
        EventLoop loop = newLoop();
        assertEquals("inner+outer", outer.get(loop));
        assertEquals("inner", inner.get(loop));
    }

    @Test
    void concurrentFirstUsesMakeOneValue() throws Exception {
        AtomicInteger made = new AtomicInteger();
        LoopLocal<Object> local = LoopLocal.withInitial(l -> {
            made.incrementAndGet();
            return new Object();
        });
        EventLoop loop = newLoop();
        CountDownLatch go = new CountDownLatch(1);
        Object[] seen = new Object[8];
        Thread[] threads = new Thread[seen.length];
        for (int i = 0; i < threads.length; i++) {
            int n = i;
            threads[i] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                seen[n] = local.get(loop);
            });
            threads[i].start();
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1, made.get());
        for (Object o : seen) {
            assertSame(seen[0], o);
        }
    }

    @Test
    void aNullInitialValueIsRefused() {
        LoopLocal<Object> local = LoopLocal.withInitial(l -> null);
        assertThrows(NullPointerException.class, () -> local.get(newLoop()));
    }
}
