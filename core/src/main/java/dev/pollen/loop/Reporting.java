package dev.pollen.loop;

import java.io.PrintStream;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * How the loop reports a failure when the normal path cannot: the last-resort line on standard
 * error, and the warm-up that keeps the normal path from needing a file at the moment of failure
 * (see the "Errors" section of {@link EventLoop}).
 *
 * <p>Why the warm-up: a report is usually made because something ran out, and descriptors are
 * what a server runs out of. {@code java.util.logging}'s {@code SimpleFormatter} asks for the
 * default time zone on its first record, which reads {@code lib/tzdb.dat}; under EMFILE that open
 * fails, the JDK's time-zone provider fails its class initialisation for good, and every later
 * record fails too. Formatting one record per handler while descriptors are plentiful loads all
 * of it once. The backend's own configuration is read then as well (it would be at the first
 * record anyway).
 *
 * <p><b>Threading:</b> any thread; nothing here throws.
 */
final class Reporting {

    /** Causes printed after the exception on the last-resort line. */
    private static final int MAX_CAUSES = 4;

    private Reporting() {
    }

    /** Makes sure the warm-up ran (it runs once, when this class initialises). */
    static void prepare() {
        Holder.touch();
    }

    /**
     * Writes one line to {@link System#err}: {@code pollen: loop NAME: MESSAGE: EXCEPTION
     * [caused by ...] (reporting failed: FAILURE)}. Never throws; if even that fails, nothing is
     * written.
     *
     * @param loop      the loop's name
     * @param message   what failed
     * @param exception what was thrown, or null
     * @param failure   why the normal report failed, or null
     */
    static void line(String loop, String message, Throwable exception, Throwable failure) {
        try {
            StringBuilder sb = new StringBuilder(160);
            sb.append("pollen: loop ").append(loop).append(": ").append(message);
            appendChain(sb, exception);
            if (failure != null) {
                sb.append(" (reporting through the exception handler and the logger failed: ");
                appendOne(sb, failure);
                sb.append(')');
            }
            PrintStream err = System.err;
            err.println(sb);
            err.flush();
        } catch (Throwable stillFailing) {
            try {
                System.err.println("pollen: loop " + loop + ": a failure could not be reported");
            } catch (Throwable ignored) {
                // nothing left to write with
            }
        }
    }

    private static void appendChain(StringBuilder sb, Throwable e) {
        if (e == null) {
            return;
        }
        sb.append(": ");
        appendOne(sb, e);
        Throwable c = e.getCause();
        for (int i = 0; c != null && c != e && i < MAX_CAUSES; i++, c = c.getCause()) {
            sb.append(" [caused by ");
            appendOne(sb, c);
            sb.append(']');
        }
    }

    private static void appendOne(StringBuilder sb, Throwable e) {
        String text;
        try {
            text = e.toString(); // a user's exception may override getMessage badly
        } catch (Throwable t) {
            text = e.getClass().getName();
        }
        sb.append(text);
        StackTraceElement[] frames = e.getStackTrace();
        if (frames.length > 0) {
            sb.append(" at ").append(frames[0]);
        }
    }

    /** Initialisation-on-demand: the warm-up runs once, on the first loop's construction. */
    private static final class Holder {
        static {
            warmUp();
        }

        static void touch() {
            // loading the class ran the warm-up
        }
    }

    private static void warmUp() {
        RuntimeException sample = new RuntimeException("warm-up");
        // The last-resort line: build one (the classes it needs get loaded) without printing it.
        try {
            StringBuilder sb = new StringBuilder(160).append("pollen: loop warm-up");
            appendChain(sb, new IllegalStateException("warm-up", sample));
            new ExceptionContext(sb.toString(), sample, null).message().length();
        } catch (Throwable ignored) {
            // best effort: line() copes on its own
        }
        // java.util.logging, the default backend of System.Logger: format one record with every
        // handler that would publish the loop's records.
        try {
            if (ModuleLayer.boot().findModule("java.logging").isPresent()) {
                warmUpJul(sample);
            }
        } catch (Throwable ignored) {
            // a logging set-up we cannot warm up: line() is the fallback
        }
    }

    private static void warmUpJul(Throwable sample) {
        Logger logger = Logger.getLogger(EventLoop.class.getName());
        LogRecord record = new LogRecord(Level.SEVERE, "loop warm-up: formatted, never published");
        record.setLoggerName(logger.getName());
        record.setThrown(sample);
        for (Logger l = logger; l != null; l = l.getParent()) {
            for (Handler h : l.getHandlers()) {
                Formatter f = h.getFormatter();
                if (f != null) {
                    f.format(record);
                }
            }
            if (!l.getUseParentHandlers()) {
                break;
            }
        }
    }
}
