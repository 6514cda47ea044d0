package dev.pollen.group;

import dev.pollen.loop.EventLoop;

/**
 * One loop of a {@link LoopGroup} and the platform thread that runs it: the thread runs the loop
 * until the group's shutdown finishes it, then closes the loop on that same thread (so the poller
 * is closed by the thread that used it) and tells the group.
 *
 * <p>A {@code loop.stop()} from user code does not end the thread: the loop returns from
 * {@code runForever} and is run again. Only {@link #finish()} (called by the shutdown on the loop
 * thread) ends it.
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
        try {
            while (true) {
                loop.runForever();
                if (finished) {
                    break;
                }
                // a stray loop.stop() from user code: a group loop serves until the group ends it
            }
        } finally {
            try {
                loop.close();
            } finally {
                group.memberEnded(this);
            }
        }
    }

    /** Ends the loop after the current iteration; its thread then closes it. */
    void finish() {
        finished = true;
        loop.stop();
    }
}
