package dev.pollen.group;

import dev.pollen.loop.EventLoop;

/**
 * Something spread over a group's loops that a shutdown must stop and drain: a
 * {@link GroupServer}. The group calls {@link #stopAccepting()} when a shutdown starts, and the
 * per-loop methods on each loop's thread while that loop drains.
 *
 * <p><b>Threading:</b> {@link #stopAccepting()} any thread; the others on the thread of the loop
 * they name.
 */
interface GroupService {

    /** Stops taking new work (closes listening sockets); existing connections stay. */
    void stopAccepting();

    /** How many connections are still open on {@code loop}; they keep it from being quiet. */
    int openConnections(EventLoop loop);

    /** Closes {@code loop}'s connections gracefully (queued data is still sent). */
    void closeConnections(EventLoop loop);

    /** Aborts {@code loop}'s connections (queued data is dropped, descriptors freed at once). */
    void abortConnections(EventLoop loop);

    /**
     * {@code loop}'s thread ended unexpectedly (it is no longer running): stop sending it work —
     * close its listening sockets, stop handing it connections. Called on that loop's thread,
     * before the loop is closed.
     */
    void loopDied(EventLoop loop);
}
