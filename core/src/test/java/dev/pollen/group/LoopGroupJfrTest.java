package dev.pollen.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.jfr.LongIterationEvent;
import dev.pollen.loop.jfr.LoopDeathEvent;
import dev.pollen.loop.jfr.SlowCallbackEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loop health as JDK Flight Recorder events: a slow callback on a group loop shows up as
 * {@code dev.pollen.SlowCallback} and {@code dev.pollen.LongIteration}, fast ones do not.
 */
@Timeout(60)
class LoopGroupJfrTest {

    private final ParkingGroups groups = new ParkingGroups();

    @TempDir
    Path dir;

    @Test
    void aSlowCallbackIsRecordedWithItsLoopAndDescription() throws Exception {
        Path file = dir.resolve("loop.jfr");
        try (LoopGroup group = groups.group(2); Recording rec = new Recording()) {
            rec.enable(SlowCallbackEvent.NAME).withThreshold(Duration.ofMillis(30));
            rec.enable(LongIterationEvent.NAME).withThreshold(Duration.ofMillis(30));
            rec.start();
            EventLoop loop = group.loop(1);
            for (int i = 0; i < 100; i++) {
                group.submit(loop, new Named("fast-callback", Duration.ZERO)).join();
            }
            group.submit(loop, new Named("slow-callback-1", Duration.ofMillis(80))).join();
            group.submit(loop, new Named("fast-callback", Duration.ZERO)).join();
            group.submit(loop, new Named("slow-callback-2", Duration.ofMillis(80))).join();
            group.submit(loop, () -> { }).join(); // the slow one's iteration has ended
            rec.stop();
            rec.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> slow = events.stream()
                .filter(e -> e.getEventType().getName().equals(SlowCallbackEvent.NAME))
                .sorted(Comparator.comparing(RecordedEvent::getStartTime)).toList();
        // the loop reuses one event object per type: two commits must give two distinct events
        assertEquals(2, slow.size(), "only the slow callbacks passed the threshold: " + slow);
        for (int i = 0; i < 2; i++) {
            RecordedEvent e = slow.get(i);
            assertTrue(e.getString("callback").contains("slow-callback-" + (i + 1)),
                    e.getString("callback"));
            assertTrue(e.getString("loop").endsWith("-loop-1"), e.getString("loop"));
            assertTrue(e.getDuration().toMillis() >= 80, e.getDuration().toString());
            assertTrue(e.getThread().getJavaName().endsWith("-loop-1"), "on the loop thread");
        }

        List<RecordedEvent> iterations = events.stream()
                .filter(x -> x.getEventType().getName().equals(LongIterationEvent.NAME))
                .sorted(Comparator.comparing(RecordedEvent::getStartTime)).toList();
        assertEquals(2, iterations.size(), "two iterations held slow callbacks: " + iterations);
        for (int i = 0; i < 2; i++) {
            RecordedEvent it = iterations.get(i);
            assertTrue(it.getInt("callbacks") >= 1);
            assertTrue(it.getDuration().compareTo(slow.get(i).getDuration()) >= 0,
                    "the iteration lasted at least as long as its slow callback");
        }
    }

    @Test
    void aLoopThatDiesIsRecordedAsALoopDeathEvent() throws Exception {
        Path file = dir.resolve("death.jfr");
        try (LoopGroup group = groups.builder(3).name("jfrdeath").build();
                Recording rec = new Recording()) {
            rec.enable(LoopDeathEvent.NAME);
            rec.start();
            EventLoop victim = group.loop(1);
            victim.callSoonThreadsafe(() -> victim.poller().close()); // it cannot go on
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (group.deadLoops().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(List.of(1), group.deadLoops());
            rec.stop();
            rec.dump(file);
        }
        List<RecordedEvent> deaths = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(LoopDeathEvent.NAME)).toList();
        assertEquals(1, deaths.size(), deaths.toString());
        RecordedEvent e = deaths.get(0);
        assertEquals("jfrdeath", e.getString("group"));
        assertEquals("jfrdeath-loop-1", e.getString("loop"));
        assertEquals(2, e.getInt("loopsLeft"));
        assertTrue(e.getString("cause").contains("poller"), e.getString("cause"));
        assertTrue(e.getThread().getJavaName().endsWith("-loop-1"), "on the dying thread");
        assertEquals(1, groups.errors.size(), "the death was reported: " + groups.errors);
        assertTrue(groups.errors.get(0).message().contains("jfrdeath-loop-1 of group jfrdeath "
                + "ended unexpectedly"), groups.errors.get(0).message());
    }

    /** A callback with a recognisable description that busy-waits for a while. */
    private record Named(String name, Duration busy) implements Runnable {
        @Override
        public void run() {
            long end = System.nanoTime() + busy.toNanos();
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
