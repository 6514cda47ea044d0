package dev.pollen.spi;

/**
 * Receives the readiness a {@link Poller} detected for one registration.
 *
 * <p><b>Threading:</b> called on the loop thread, from inside {@link Poller#poll(long)}.
 */
@FunctionalInterface
public interface IoHandler {

    /**
     * Called once per {@link Poller#poll(long)} in which the source was ready.
     *
     * <p>{@code readyOps} is a non-empty subset of {@link Poller#READ} and {@link Poller#WRITE},
     * restricted to the interest set at the time of the poll. Hang-up and errors are reported as
     * readiness of whatever is registered (a read then returns end-of-stream or throws; a write
     * throws), the way {@code select} reports them: this keeps every backend's behaviour the same.
     *
     * <p>A handler may change interest, cancel any registration, close sources or register new
     * ones; the poller tolerates all of it during dispatch (a registration cancelled during the
     * dispatch is not called afterwards in the same poll). A handler should not throw: if it does,
     * the exception propagates out of {@code poll} after the event has been consumed and the
     * remaining events of that poll are dispatched on the next call.
     *
     * @param readyOps which of READ and WRITE the source is ready for
     */
    void onReady(int readyOps);
}
