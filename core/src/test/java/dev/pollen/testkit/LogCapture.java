package dev.pollen.testkit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what one {@code java.util.logging} logger (the default backend of
 * {@link System.Logger}) publishes, at every level, while open; nothing reaches the console.
 *
 * <p><b>Threading:</b> records from any thread; read after the logging happened.
 */
public final class LogCapture implements AutoCloseable {

    /** What was published, in order. */
    public final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger logger;
    private final Level oldLevel;
    private final boolean oldUseParent;
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (isLoggable(r)) {
                records.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /**
     * Starts recording {@code name}'s records of {@code level} and above.
     *
     * @param name  the logger's name
     * @param level the lowest level recorded (the logger is set to it)
     */
    public LogCapture(String name, Level level) {
        logger = Logger.getLogger(name);
        oldLevel = logger.getLevel();
        oldUseParent = logger.getUseParentHandlers();
        logger.setLevel(level);
        logger.setUseParentHandlers(false);
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(oldLevel);
        logger.setUseParentHandlers(oldUseParent);
    }
}
