package dev.pollen.loop;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The process-wide side of {@link EventLoop#addSignalHandler}: one JVM handler per signal
 * ({@code sun.misc.Signal}, module {@code jdk.unsupported}, exported to every class path
 * application), installed when the first loop adds a handler for that signal and replaced by
 * what was there before when the last loop removes its own. The JVM runs it on its
 * "Signal Dispatcher" thread, which only hands the signal to each interested loop with
 * {@link EventLoop#callSoonThreadsafe} (whose wake-up is the loop's self-pipe: an eventfd, a
 * kqueue user event or the Selector's wakeup); the loop looks its callback up on its own thread.
 *
 * <p><b>Threading:</b> {@link #add} and {@link #remove} from any thread (a loop calls them on its
 * own); the handler runs on the JVM's signal thread.
 */
final class SignalDispatch {

    /** One installed JVM handler: the loops interested, and what it replaced. */
    private static final class Installed implements SignalHandler {
        final String name;
        final Set<EventLoop> loops = new CopyOnWriteArraySet<>();
        SignalHandler previous;

        Installed(String name) {
            this.name = name;
        }

        @Override
        public void handle(Signal sig) {
            for (EventLoop l : loops) {
                l.deliverSignal(name);
            }
        }
    }

    private static final Map<String, Installed> INSTALLED = new ConcurrentHashMap<>();

    private SignalDispatch() {
    }

    /**
     * The canonical name of a signal ("TERM" for "SIGTERM", "term" or "TERM").
     *
     * @throws IllegalArgumentException if it is blank
     */
    static String canonical(String signal) {
        String s = signal.trim().toUpperCase(Locale.ROOT);
        if (s.startsWith("SIG")) {
            s = s.substring(3);
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("no signal name given ('" + signal + "'); use a "
                    + "name such as INT, TERM, HUP, USR1 (with or without SIG)");
        }
        return s;
    }

    /** Makes {@code loop} receive {@code name} (canonical); installs the JVM handler if needed. */
    static synchronized void add(EventLoop loop, String name) {
        Installed in = INSTALLED.get(name);
        if (in == null) {
            in = new Installed(name);
            in.previous = install(name, in);
            INSTALLED.put(name, in);
        }
        in.loops.add(loop);
    }

    /** Stops {@code loop} receiving {@code name}; restores the old JVM handler after the last. */
    static synchronized void remove(EventLoop loop, String name) {
        Installed in = INSTALLED.get(name);
        if (in == null || !in.loops.remove(loop) || !in.loops.isEmpty()) {
            return;
        }
        INSTALLED.remove(name);
        try {
            Signal.handle(new Signal(name), in.previous);
        } catch (IllegalArgumentException cannotHappen) {
            // it was installed, so it can be replaced
        }
    }

    private static SignalHandler install(String name, SignalHandler handler) {
        Signal sig;
        try {
            sig = new Signal(name);
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException("unknown signal SIG" + name + " on this system; "
                    + "use a name such as INT, TERM, HUP, USR1 (with or without SIG)", unknown);
        }
        try {
            return Signal.handle(sig, handler);
        } catch (IllegalArgumentException reserved) {
            String why = name.equals("KILL") || name.equals("STOP")
                    ? "KILL and STOP can never be caught"
                    : "the JVM or the OS reserves it here (QUIT prints the JVM's thread dump; "
                            + "a JVM started with -Xrs leaves INT, TERM and HUP alone)";
            throw new IllegalArgumentException("cannot handle SIG" + name + ": " + why, reserved);
        }
    }
}
