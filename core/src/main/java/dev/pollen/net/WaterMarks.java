package dev.pollen.net;

/** Validation of write-buffer water marks, shared by every transport. */
final class WaterMarks {

    private WaterMarks() {
    }

    /**
     * Checks {@code 0 <= low <= high}.
     *
     * @throws IllegalArgumentException naming the marks
     */
    static void check(int high, int low) {
        if (high < 0) {
            throw new IllegalArgumentException("write buffer high-water mark must be >= 0, got "
                    + high);
        }
        if (low < 0 || low > high) {
            throw new IllegalArgumentException("write buffer low-water mark must be between 0 and "
                    + "the high-water mark (" + high + "), got " + low);
        }
    }
}
