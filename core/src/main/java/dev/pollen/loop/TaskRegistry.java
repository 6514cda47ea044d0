package dev.pollen.loop;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A loop's bookkeeping of tasks: the live (not yet done) tasks in an intrusive doubly linked
 * list, so the loop holds a strong reference to every task until it finishes (asyncio keeps a
 * weak set and loses tasks nobody references; here a pending task cannot be collected while it
 * waits) without allocating per task; and the task-local values of code that runs outside any
 * task (callbacks), inherited by tasks those callbacks create.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class TaskRegistry {

    static final Object[] NO_LOCALS = new Object[0];

    private Task<?> head;
    private int size;
    /** Task-local values outside tasks: key, value, key, value, ... (never mutated in place). */
    Object[] rootLocals = NO_LOCALS;

    void add(Task<?> t) {
        t.nextLive = head;
        t.prevLive = null;
        if (head != null) {
            head.prevLive = t;
        }
        head = t;
        size++;
    }

    void remove(Task<?> t) {
        if (t.prevLive == null && head != t) {
            return; // not in the list (already removed)
        }
        if (t.prevLive != null) {
            t.prevLive.nextLive = t.nextLive;
        } else {
            head = t.nextLive;
        }
        if (t.nextLive != null) {
            t.nextLive.prevLive = t.prevLive;
        }
        t.prevLive = null;
        t.nextLive = null;
        size--;
    }

    int size() {
        return size;
    }

    /** A snapshot of the live tasks, oldest first. */
    Set<Task<?>> snapshot() {
        Task<?>[] arr = new Task<?>[size];
        int i = size;
        for (Task<?> t = head; t != null; t = t.nextLive) {
            arr[--i] = t;
        }
        Set<Task<?>> out = new LinkedHashSet<>(size * 2);
        for (Task<?> t : arr) {
            out.add(t);
        }
        return out;
    }
}
