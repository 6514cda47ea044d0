package dev.pollen.loop.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JDK Flight Recorder event {@value #NAME}: the thread of a {@code LoopGroup}'s loop ended
 * unexpectedly (not by the group's shutdown), so the group closed that loop's listening sockets
 * and the other loops carry its share. Committed on the dying loop's thread; enabled by default.
 *
 * <p><b>Threading:</b> created and committed by the dying loop's thread.
 */
@Name(LoopDeathEvent.NAME)
@Label("Loop Death")
@Category({"Pollen", "Event Loop"})
@Description("A loop group's loop thread ended unexpectedly; its listeners were closed")
@StackTrace(false)
public final class LoopDeathEvent extends Event {

    /** The event's name in recordings and JFR settings. */
    public static final String NAME = "dev.pollen.LoopDeath";

    /** The group's name. */
    @Label("Group")
    public String group;

    /** The loop's name. */
    @Label("Loop")
    public String loop;

    /** What ended it (its {@code toString()}). */
    @Label("Cause")
    public String cause;

    /** How many other loops of the group were still running. */
    @Label("Loops Left")
    public int loopsLeft;

    /** Creates an event. */
    public LoopDeathEvent() {
    }
}
