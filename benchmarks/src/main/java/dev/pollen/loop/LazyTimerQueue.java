package dev.pollen.loop;

import java.util.PriorityQueue;

/**
 * The alternative the loop did not choose, kept here only for {@link TimerQueueBench}: asyncio's
 * lazy deletion. A cancelled timer stays in the heap, counted; when more than half of the heap is
 * cancelled, it is rebuilt without them. Cancel is O(1), but the heap holds dead entries.
 */
final class LazyTimerQueue {

    private static final class Entry implements Comparable<Entry> {
        final long deadline;
        final long seq;
        boolean cancelled;

        Entry(long deadline, long seq) {
            this.deadline = deadline;
            this.seq = seq;
        }

        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(deadline, o.deadline);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private PriorityQueue<Entry> heap = new PriorityQueue<>();
    private int cancelledCount;
    private long seq;

    Object add(long deadline) {
        Entry e = new Entry(deadline, seq++);
        heap.add(e);
        return e;
    }

    void cancel(Object handle) {
        Entry e = (Entry) handle;
        if (!e.cancelled) {
            e.cancelled = true;
            cancelledCount++;
            if (cancelledCount > 100 && cancelledCount * 2 > heap.size()) {
                PriorityQueue<Entry> fresh = new PriorityQueue<>(Math.max(16, heap.size() - cancelledCount));
                for (Entry x : heap) {
                    if (!x.cancelled) {
                        fresh.add(x);
                    }
                }
                heap = fresh;
                cancelledCount = 0;
            }
        }
    }

    /** Pops the earliest live entry, or returns null. */
    Object poll() {
        Entry e;
        while ((e = heap.poll()) != null) {
            if (!e.cancelled) {
                return e;
            }
            cancelledCount--;
        }
        return null;
    }

    int size() {
        return heap.size();
    }
}
