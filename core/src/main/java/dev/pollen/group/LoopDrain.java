package dev.pollen.group;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.LoopStats;
import dev.pollen.loop.Task;
import dev.pollen.loop.TimerHandle;

/**
 * The shutdown of one loop of a group, run on that loop's thread: wait for quiet, or cancel at the
 * deadline, then end the loop.
 *
 * <h2>Quiet</h2>
 * At each check (every {@link #checkIntervalNanos}) the loop is <em>busy</em> if, since the last
 * check, it ran any callback other than the check itself, or it has pending timers, live tasks, or
 * open connections of the group's servers. It is <em>quiet</em> once it has not been busy for the
 * whole quiet period (counted from the start of the shutdown at the earliest) and a check one
 * iteration later still finds it so (callbacks already queued for the current iteration are not
 * visible to a check that runs before them). A quiet loop ends.
 *
 * <h2>Deadline</h2>
 * If the loop is still busy when the group's timeout passes (or at once, for
 * {@link LoopGroup#shutdownNow()}), its live tasks are cancelled ({@link Task#cancel(String)}) and
 * its server connections closed; it then keeps running for at most one more quiet period, and
 * at least {@link #MIN_CANCEL_TURNS} iterations (so cancelled tasks reach their {@code finally}
 * blocks), until no task and no connection is left. Connections still open then are aborted, so
 * their descriptors are freed before the loop closes, and the loop ends one iteration later (their
 * {@code connectionLost} callbacks run in that iteration).
 *
 * <p><b>Threading:</b> loop thread only, except {@link #start()} / {@link #escalate()} which are
 * handed in with {@code callSoonThreadsafe}.
 */
final class LoopDrain implements Runnable {

    /** Iterations cancelled tasks get at least (a cancel lands in a task after two turns). */
    static final int MIN_CANCEL_TURNS = 3;
    private static final long MIN_INTERVAL = 1_000_000L;
    private static final long MAX_INTERVAL = 100_000_000L;

    private final Member member;
    private final EventLoop loop;
    private final long quietNanos;
    private final long startNanos;
    private final long timeoutNanos;
    private final long checkIntervalNanos;
    private long lastBusy;
    private long lastCallbacks;
    private TimerHandle timer;
    private boolean started;
    /** Quiet was reached at the previous check; this one confirms it (see {@link #run()}). */
    private boolean confirming;
    private boolean cancelling;
    private long cancelStart;
    private int cancelTurns;
    private boolean done;

    LoopDrain(Member member, long quietNanos, long startNanos, long timeoutNanos) {
        this.member = member;
        this.loop = member.loop;
        this.quietNanos = quietNanos;
        // elapsed-time comparisons (now - start >= timeout) cannot overflow for a huge timeout
        this.startNanos = startNanos;
        this.timeoutNanos = timeoutNanos;
        this.checkIntervalNanos = Math.min(MAX_INTERVAL, Math.max(MIN_INTERVAL, quietNanos / 8));
    }

    /** Begins draining; runs as a callback of the loop. */
    void start() {
        started = true;
        lastBusy = startNanos; // quiet counts from the shutdown request at the earliest
        lastCallbacks = loop.stats().callbacksRun();
        loop.callSoon(this);
    }

    /** {@link LoopGroup#shutdownNow()} during a graceful shutdown: cancel at once. */
    void escalate() {
        if (!started || done || cancelling) {
            return;
        }
        cancelTimer();
        cancelRemaining(System.nanoTime());
    }

    @Override
    public void run() {
        timer = null;
        if (done) {
            return;
        }
        long now = System.nanoTime();
        if (cancelling) {
            cancelTurns++;
            boolean empty = loop.allTasks().isEmpty() && openConnections() == 0;
            boolean graceOver = now - cancelStart >= quietNanos;
            if (cancelTurns >= MIN_CANCEL_TURNS && (empty || graceOver)) {
                end();
            } else if (cancelTurns < MIN_CANCEL_TURNS) {
                loop.callSoon(this);
            } else {
                timer = loop.callLaterNanos(Math.min(checkIntervalNanos,
                        quietNanos - (now - cancelStart)), this);
            }
            return;
        }
        long left = timeoutNanos - (now - startNanos);
        if (member.group.isForced() || left <= 0) {
            cancelRemaining(now);
            return;
        }
        LoopStats s = loop.stats();
        // callbacksRun is added at the end of each iteration, so this counts the previous
        // check (or start) itself: more than one means other work ran
        boolean ranOthers = s.callbacksRun() - lastCallbacks > 1;
        lastCallbacks = s.callbacksRun();
        boolean busy = ranOthers || s.timersPending() > 0 || !loop.allTasks().isEmpty()
                || openConnections() > 0;
        long wait;
        if (busy) {
            lastBusy = now;
            confirming = false;
            wait = checkIntervalNanos;
        } else {
            long quietFor = now - lastBusy;
            if (quietFor >= quietNanos) {
                if (confirming) {
                    end();
                    return;
                }
                // Callbacks already in this iteration's ready queue (a due timer, say) are
                // invisible here: they run after this check and may schedule more work. Look
                // again next iteration, once they have run and been counted.
                confirming = true;
                loop.callSoon(this);
                return;
            }
            wait = Math.min(checkIntervalNanos, quietNanos - quietFor);
        }
        wait = Math.min(wait, left);
        timer = loop.callLaterNanos(Math.max(wait, 0), this);
    }

    private void cancelRemaining(long now) {
        cancelling = true;
        cancelStart = now;
        String why = "loop group " + member.group.name() + " is shutting down";
        for (Task<?> t : loop.allTasks()) {
            t.cancel(why);
        }
        for (GroupService s : member.group.services()) {
            s.closeConnections(loop);
        }
        loop.callSoon(this);
    }

    private void end() {
        done = true;
        cancelTimer();
        for (GroupService s : member.group.services()) {
            s.abortConnections(loop);
        }
        // one more iteration: the aborted connections' connectionLost callbacks run in it
        loop.callSoon(member::finish);
    }

    private int openConnections() {
        int n = 0;
        for (GroupService s : member.group.services()) {
            n += s.openConnections(loop);
        }
        return n;
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
