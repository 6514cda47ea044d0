package dev.pollen.examples;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Waits for SIGINT or SIGTERM so the servers can shut down gracefully and exit 0 instead of
 * being killed mid-flight. Only the proxy command still uses it, until its rewrite onto the
 * library's proxy moves it to {@link Servers#stopSignal} (which uses
 * {@code EventLoop.addSignalHandler}); delete this class then.
 *
 * <p><b>Threading:</b> {@link #await()} blocks the calling thread; the handlers run on the JVM's
 * signal thread.
 */
final class Signals {

    private final CountDownLatch received = new CountDownLatch(1);
    private volatile String name;

    /** Installs the handlers (once per command). */
    Signals() {
        for (String sig : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(sig), s -> {
                    name = "SIG" + s.getName();
                    received.countDown();
                });
            } catch (IllegalArgumentException unsupportedHere) {
                // e.g. a JVM started with -Xrs: the default handling (exit) stays
            }
        }
    }

    /**
     * Blocks until a signal arrives.
     *
     * @return the signal's name, e.g. {@code SIGTERM}
     * @throws InterruptedException if the waiting thread is interrupted
     */
    String await() throws InterruptedException {
        received.await();
        return name;
    }

    /**
     * Blocks until a signal arrives or {@code end} completes (e.g. a loop group whose every loop
     * has ended), whichever comes first.
     *
     * @param end what else ends the wait
     * @return the signal's name, or null if {@code end} came first
     * @throws InterruptedException if the waiting thread is interrupted
     */
    String awaitOr(java.util.concurrent.CompletableFuture<?> end) throws InterruptedException {
        end.whenComplete((v, e) -> received.countDown());
        received.await();
        return name;
    }
}
