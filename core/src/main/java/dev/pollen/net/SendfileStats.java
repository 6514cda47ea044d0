package dev.pollen.net;

/**
 * What {@link Net#sendfile} did on one loop so far: how many bytes went through the kernel's
 * zero-copy path and how many through the read/write fallback, and how the zero-copy path met
 * the socket. Operators read it to see whether files really go zero-copy; a
 * {@code wouldBlockCalls} close to {@code kernelCalls} would mean the loop polls a full socket.
 *
 * <p><b>Threading:</b> an immutable snapshot; any thread.
 *
 * @param kernelBytes     bytes the kernel sent from files ({@code sendfile(2)},
 *                        {@code FileChannel.transferTo})
 * @param kernelCalls     kernel transfer calls made
 * @param wouldBlockCalls of those, the calls that found the send buffer full (then the transfer
 *                        waits for the socket's WRITE readiness)
 * @param fallbackBytes   bytes sent by the read/write fallback
 * @param zeroCopyRuns    {@code Net.sendfile} calls that took the zero-copy path
 * @param fallbackRuns    {@code Net.sendfile} calls that took the fallback
 */
public record SendfileStats(long kernelBytes, long kernelCalls, long wouldBlockCalls,
        long fallbackBytes, long zeroCopyRuns, long fallbackRuns) {
}
