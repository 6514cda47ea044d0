package dev.pollen.spi;

/**
 * Optional extension of a {@link Registration}: lets the code that reads a source tell the
 * poller that it read until the kernel had nothing more to give. A poller whose kernel reports
 * readiness as edges (io_uring's multishot poll posts a completion when data arrives, not while
 * data is waiting) offers it on its registrations, and uses it to skip the kernel check that
 * keeps {@link Poller}'s level-triggered contract: after a drain, the next arrival is reported
 * by the kernel anyway.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Optional on both sides.</b> A poller need not offer it (check with
 *       {@code registration instanceof ReadDrainedHint}); a handler need not call it. Without a
 *       call, the poller keeps the level-triggered contract by itself (for io_uring: one more
 *       kernel check after each READ report), so {@link Poller}'s contract holds for every
 *       handler.</li>
 *   <li><b>When to call it.</b> Only right after a read of this source that showed the kernel's
 *       receive buffer empty: the read returned fewer bytes than the buffer had room for, returned
 *       0 because nothing was available, or returned end-of-stream. Calling it while bytes
 *       are still waiting breaks level-triggered reporting for that source: those bytes may not
 *       be reported again until more arrive.</li>
 *   <li><b>Effect.</b> Clears the poller's note that READ readiness was reported and may not be
 *       consumed yet. It never changes the interest set and never reports anything; it may be
 *       called any number of times, also outside a dispatch, also on a registration that was
 *       cancelled (then it does nothing).</li>
 * </ul>
 *
 * <p><b>Threading:</b> loop thread only.
 */
public interface ReadDrainedHint {

    /**
     * The source was just read until the kernel had nothing more (see the class contract).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    void readDrained();
}
