package dev.pollen.loop.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * JDK Flight Recorder event {@value #NAME}: one callback (a {@code callSoon}, a timer, a task
 * step, a done-callback) ran longer than the event's threshold and held up its loop. The event's
 * duration is the callback's run time; its thread is the loop thread.
 *
 * <p>Recorded by {@link dev.pollen.loop.EventLoop} whenever a recording has this event enabled
 * (default threshold 100 ms, asyncio's {@code slow_callback_duration}); change it with a JFR
 * setting, e.g. {@code jcmd <pid> JFR.start settings=default
 * +dev.pollen.SlowCallback#threshold=10ms} (JDK 17+ syntax) or
 * {@code RecordingStream.enable(SlowCallbackEvent.NAME).withThreshold(...)}. When no recording
 * has it enabled the loop checks one flag per iteration and allocates nothing.
 *
 * <p><b>Threading:</b> created and committed by the loop thread only; read in recordings from
 * any thread.
 */
@Name(SlowCallbackEvent.NAME)
@Label("Slow Callback")
@Category({"Pollen", "Event Loop"})
@Description("A callback, timer or task step that ran longer than the threshold on an event loop")
@Threshold("100 ms")
@StackTrace(false)
public final class SlowCallbackEvent extends Event {

    /** The event's name in recordings and JFR settings. */
    public static final String NAME = "dev.pollen.SlowCallback";

    /** The loop's name (also its thread's name when the loop runs on its own thread). */
    @Label("Loop")
    public String loop;

    /** What ran: the callback's {@code toString()} (a lambda's class, a task's name...). */
    @Label("Callback")
    public String callback;

    /** Creates an event; the loop reuses one per loop (see {@code LoopRecorder}). */
    public SlowCallbackEvent() {
    }
}
