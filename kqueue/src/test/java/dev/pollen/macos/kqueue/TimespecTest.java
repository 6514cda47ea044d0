package dev.pollen.macos.kqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The kevent timeout's struct timespec. */
class TimespecTest {

    @Test
    void splitsNanosecondsIntoSecondsAndNanoseconds() {
        Timespec t = new Timespec();
        try {
            t.set(2_500_000_001L);
            assertEquals(2, t.seconds());
            assertEquals(500_000_001, t.nanosOfSecond());
            t.set(1);
            assertEquals(0, t.seconds());
            assertEquals(1, t.nanosOfSecond(), "one nanosecond must not become zero");
        } finally {
            t.free();
        }
    }

    @Test
    void clampsToZeroAndOneDay() {
        Timespec t = new Timespec();
        try {
            t.set(-5);
            assertEquals(0, t.seconds());
            assertEquals(0, t.nanosOfSecond());
            t.set(Long.MAX_VALUE);
            assertEquals(86_400, t.seconds());
            assertEquals(0, t.nanosOfSecond());
        } finally {
            t.free();
        }
    }
}
