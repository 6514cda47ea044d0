package dev.pollen.async;

/**
 * A {@link Semaphore} that refuses to be released more often than acquired (asyncio's
 * {@code BoundedSemaphore}): its permits never exceed the initial value.
 *
 * <p><b>Threading:</b> loop thread only and not thread-safe, like asyncio's.
 */
public final class BoundedSemaphore extends Semaphore {

    private final int bound;

    /**
     * A bounded semaphore with {@code value} permits, which is also the bound.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param value the initial and maximum number of permits, at least 0
     */
    public BoundedSemaphore(int value) {
        super(value);
        this.bound = value;
    }

    /**
     * A bounded semaphore with one permit.
     *
     * <p><b>Threading:</b> any thread.
     */
    public BoundedSemaphore() {
        this(1);
    }

    /**
     * Gives a permit back.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @throws IllegalStateException if that would exceed the initial value
     */
    @Override
    public void release() {
        if (availablePermits() >= bound) {
            throw new IllegalStateException("BoundedSemaphore released too many times (bound "
                    + bound + ")");
        }
        super.release();
    }
}
