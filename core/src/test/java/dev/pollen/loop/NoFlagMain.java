package dev.pollen.loop;

import dev.pollen.testkit.ParkingPoller;
import java.time.Duration;

/**
 * Run by {@link ContinuationFlagTest} in a child JVM started without
 * {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}: callback-style code must work,
 * and creating a task must fail with the message that names the fix.
 */
final class NoFlagMain {

    private NoFlagMain() {
    }

    public static void main(String[] args) {
        try (EventLoop loop = EventLoop.builder().poller(new ParkingPoller()).build()) {
            Future<String> f = loop.createFuture();
            loop.callLater(Duration.ofMillis(1), () -> f.setResult("callbacks work"));
            System.out.println(loop.runUntilComplete(f));
            try {
                loop.createTask(() -> 1);
                System.out.println("createTask did not fail");
            } catch (IllegalStateException e) {
                System.out.println("createTask failed: " + e.getMessage());
            }
        }
    }
}
