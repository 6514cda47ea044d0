package dev.pollen.net;

/**
 * Something of the networking layer that owns a file descriptor (a connection, a server, a
 * datagram endpoint) and must not outlive its loop. Kept in its loop's {@link NetLoopState} from
 * creation until its socket is closed, in an intrusive list (no allocation per connection), so
 * that closing the loop closes it: a closed loop leaves no descriptor open.
 *
 * <p><b>Threading:</b> loop thread only.
 */
abstract class LoopResource {

    /** Links of the owning state's list; null when not in it. */
    LoopResource prev;
    LoopResource next;
    /** Whether the resource is in a list right now. */
    boolean tracked;

    /**
     * Closes at once because the loop is closing: nothing can be flushed any more and no callback
     * will run. Must not throw.
     */
    abstract void closeWithLoop();
}
