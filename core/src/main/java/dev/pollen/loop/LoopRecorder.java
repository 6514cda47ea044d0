package dev.pollen.loop;

import dev.pollen.loop.jfr.LongIterationEvent;
import dev.pollen.loop.jfr.SlowCallbackEvent;

/**
 * One loop's JDK Flight Recorder bookkeeping for {@link SlowCallbackEvent} and
 * {@link LongIterationEvent}.
 *
 * <p>Cheap when JFR is off: the loop asks {@link #slowCallbacksEnabled()} and
 * {@link #iterationsEnabled()} once per iteration, which reads one flag of a static probe event
 * each (JFR flips it when a recording enables the event type, even for classes loaded before JFR
 * started). Allocation-free even while recording: each loop reuses one event object per type —
 * {@code begin()} resets the start, {@code end()} sets the duration, {@code shouldCommit()}
 * applies the recording's threshold — which is safe because only the loop thread touches them
 * and callbacks do not nest (a loop cannot run inside one of its own callbacks).
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class LoopRecorder {

    // Probes only: never committed, so sharing them between loops is harmless.
    private static final SlowCallbackEvent SLOW_PROBE = new SlowCallbackEvent();
    private static final LongIterationEvent ITERATION_PROBE = new LongIterationEvent();

    private final String loopName;
    private SlowCallbackEvent slow;
    private LongIterationEvent iteration;

    LoopRecorder(String loopName) {
        this.loopName = loopName;
    }

    /** Whether a recording wants slow-callback events; asked once per iteration. */
    boolean slowCallbacksEnabled() {
        return SLOW_PROBE.isEnabled();
    }

    /** Whether a recording wants long-iteration events; asked once per iteration. */
    boolean iterationsEnabled() {
        return ITERATION_PROBE.isEnabled();
    }

    /** Starts timing a callback. */
    void beginCallback() {
        SlowCallbackEvent e = slow;
        if (e == null) {
            e = slow = new SlowCallbackEvent();
            e.loop = loopName;
        }
        e.begin();
    }

    /** Ends timing the callback begun last; commits it if it passed the threshold. */
    void endCallback(Handle h) {
        SlowCallbackEvent e = slow;
        e.end();
        if (e.shouldCommit()) {
            e.callback = String.valueOf(h.describe());
            e.commit();
            e.callback = null; // do not keep the description (and what it names) alive
        }
    }

    /** Starts timing the busy part of an iteration. */
    void beginIteration() {
        LongIterationEvent e = iteration;
        if (e == null) {
            e = iteration = new LongIterationEvent();
            e.loop = loopName;
        }
        e.begin();
    }

    /** Ends the iteration begun last; commits it if it passed the threshold. */
    void endIteration(int ioEvents, int callbacks, long pollNanos, boolean blockingPoll) {
        LongIterationEvent e = iteration;
        e.end();
        if (e.shouldCommit()) {
            e.ioEvents = ioEvents;
            e.callbacks = callbacks;
            e.pollTime = pollNanos;
            e.blockingPoll = blockingPoll;
            e.commit();
        }
    }
}
