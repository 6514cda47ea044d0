package dev.pollen.group;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;

/**
 * One loop of a {@link LoopGroup} and the platform thread that runs it: the thread runs the loop
 * until the group's shutdown finishes it, then closes the loop on that same thread (so the poller
 * is closed by the thread that used it) and tells the group.
 *
 * <p>A {@code loop.stop()} from user code does not end the thread: the loop returns from
 * {@code runForever} and is run again. Only {@link #finish()} (called by the shutdown on the loop
 * thread) ends it — or {@code runForever} throwing, when the loop cannot go on: the group is then
 * told ({@link LoopGroup#memberDied}) before the loop is closed.
 *
 * <p><b>Threading:</b> {@link #finish()} loop thread only; the rest any thread.
 */
final class Member implements Runnable {

    final LoopGroup group;
    final EventLoop loop;
    final int index;
    final Thread thread;
    /** Set by the shutdown on the loop thread right before it stops the loop. */
    private volatile boolean finished;
    /** Set when the thread ended unexpectedly (see {@link LoopGroup#memberDied}). */
    volatile boolean died;
    /** The loop's shutdown state machine, created on the first shutdown request. */
    LoopDrain drain;

    Member(LoopGroup group, EventLoop loop, int index, boolean daemon) {
        this.group = group;
        this.loop = loop;
        this.index = index;
        this.thread = new Thread(this, loop.name());
        this.thread.setDaemon(daemon);
    }

    @Override
    public void run() {
        Throwable death = null;
        try {
            while (true) {
                loop.runForever();
                if (finished) {
                    break;
                }
                // a stray loop.stop() from user code: a group loop serves until the group ends it
            }
        } catch (Throwable t) {
            death = t; // the loop could not go on (see EventLoop's "Errors")
        }
        if (death != null) {
            try {
                group.memberDied(this, death); // listeners first: the kernel stops routing to us
            } catch (Throwable ignored) {
                // memberDied reports what it can and does not throw
            }
        }
        try {
            loop.close();
        } catch (Throwable t) {
            try {
                loop.callExceptionHandler(new ExceptionContext("closing loop " + loop.name()
                        + " after its thread ended failed", t, group));
            } catch (Throwable ignored) {
                // reporting does not throw; building the report could (out of memory)
            }
        } finally {
            group.memberEnded(this);
        }
    }

    /** Ends the loop after the current iteration; its thread then closes it. */
    void finish() {
        finished = true;
        loop.stop();
    }
}
