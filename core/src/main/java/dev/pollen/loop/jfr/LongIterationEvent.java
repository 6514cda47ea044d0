package dev.pollen.loop.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * JDK Flight Recorder event {@value #NAME}: one loop iteration kept the loop busy longer than
 * the event's threshold, so I/O on that loop waited at least that long.
 *
 * <p><b>What the duration covers.</b> The busy part of the iteration as the loop can see it: from
 * the end of {@code poll} to the end of the iteration (moving due timers, running the ready
 * callbacks), plus the whole {@code poll} when it was a non-blocking one (timeout 0, so it did
 * nothing but collect and dispatch events). When the poll was allowed to block, the time its I/O
 * handlers ran inside it cannot be told apart from the time it waited (the Poller SPI reports
 * neither), so it is left out; {@link #pollTime} shows the whole poll call for context.
 *
 * <p>Default threshold 100 ms; change it with a JFR setting
 * ({@code dev.pollen.LongIteration#threshold=20ms}). When no recording has it enabled the loop
 * checks one flag per iteration and allocates nothing.
 *
 * <p><b>Threading:</b> created and committed by the loop thread only.
 */
@Name(LongIterationEvent.NAME)
@Label("Long Loop Iteration")
@Category({"Pollen", "Event Loop"})
@Description("An event loop iteration that kept the loop busy longer than the threshold")
@Threshold("100 ms")
@StackTrace(false)
public final class LongIterationEvent extends Event {

    /** The event's name in recordings and JFR settings. */
    public static final String NAME = "dev.pollen.LongIteration";

    /** The loop's name. */
    @Label("Loop")
    public String loop;

    /** I/O handlers the iteration's poll called. */
    @Label("I/O Events")
    public int ioEvents;

    /** Callbacks (including timers and task steps) the iteration ran. */
    @Label("Callbacks")
    public int callbacks;

    /** How long the poll call took, waiting included. */
    @Label("Poll Time")
    @Timespan(Timespan.NANOSECONDS)
    public long pollTime;

    /** Whether the poll could block (timeout not 0), so its time is not in the duration. */
    @Label("Blocking Poll")
    public boolean blockingPoll;

    /** Creates an event; the loop reuses one per loop (see {@code LoopRecorder}). */
    public LongIterationEvent() {
    }
}
