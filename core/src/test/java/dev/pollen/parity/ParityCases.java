package dev.pollen.parity;

import dev.pollen.async.AsCompleted;
import dev.pollen.async.Async;
import dev.pollen.async.Barrier;
import dev.pollen.async.BoundedSemaphore;
import dev.pollen.async.BrokenBarrierException;
import dev.pollen.async.Condition;
import dev.pollen.async.Event;
import dev.pollen.async.LifoQueue;
import dev.pollen.async.Lock;
import dev.pollen.async.PriorityQueue;
import dev.pollen.async.Queue;
import dev.pollen.async.QueueEmptyException;
import dev.pollen.async.QueueFullException;
import dev.pollen.async.QueueShutDownException;
import dev.pollen.async.ReturnWhen;
import dev.pollen.async.Semaphore;
import dev.pollen.async.TaskGroup;
import dev.pollen.async.TaskGroupException;
import dev.pollen.async.Timeout;
import dev.pollen.async.TimeoutException;
import dev.pollen.async.WaitResult;
import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.InvalidStateException;
import dev.pollen.loop.Task;
import dev.pollen.testkit.ParkingPoller;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * The Java side of the asyncio parity check: the same small programs as
 * {@code src/test/resources/parity/asyncio_cases.py}, case by case and in the same order, printing
 * the same trace words (exceptions under their asyncio names, booleans as {@code True}/
 * {@code False}). {@link AsyncioParityTest} runs both and compares the traces. Each case runs as
 * the main task of its own virtual-time loop, as the Python side runs each under
 * {@code asyncio.run} on a virtual clock.
 *
 * <p><b>Threading:</b> each case runs on its own loop, on the calling thread.
 */
final class ParityCases {

    /** One case: its body and whether its loop starts tasks eagerly. */
    record Case(boolean eager, Callable<?> body) {
    }

    private final List<String> lines = new ArrayList<>();
    private final Map<String, Case> cases = new LinkedHashMap<>();

    ParityCases() {
        register();
    }

    /** The cases, in the Python file's order. */
    Map<String, Case> cases() {
        return cases;
    }

    /** Runs one case and returns its trace (without the "== name" header). */
    List<String> run(String name) {
        Case c = cases.get(name);
        lines.clear();
        EventLoop.Builder b = EventLoop.builder().poller(new ParkingPoller()).virtualTime(true)
                .eagerTasks(c.eager());
        try {
            Async.run(b, c.body());
        } catch (Throwable e) {
            out("escaped", fmt(e));
        }
        return new ArrayList<>(lines);
    }

    // ------------------------------------------------------------------ trace helpers

    private void out(Object... parts) {
        lines.add(Arrays.stream(parts).map(ParityCases::str).collect(Collectors.joining(" ")));
    }

    private static String str(Object o) {
        if (o instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (o == null) {
            return "None";
        }
        if (o instanceof Throwable t) {
            return fmt(t);
        }
        if (o instanceof List<?> l) {
            return l.stream().map(ParityCases::str).collect(Collectors.joining(", ", "[", "]"));
        }
        return o.toString();
    }

    /** An exception under its asyncio name, with its message (as the Python side's fmt()). */
    static String fmt(Throwable e) {
        if (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof TaskGroupException g) {
            return g.exceptions().stream().map(ParityCases::fmt)
                    .collect(Collectors.joining(", ", "ExceptionGroup[", "]"));
        }
        String name;
        if (e instanceof CancellationException) {
            name = "CancelledError";
        } else if (e instanceof TimeoutException) {
            return "TimeoutError"; // asyncio's carries no message
        } else if (e instanceof IllegalArgumentException) {
            name = "ValueError";
        } else if (e instanceof InvalidStateException) {
            name = "InvalidStateError";
        } else if (e instanceof IllegalStateException) {
            name = "RuntimeError";
        } else if (e instanceof BrokenBarrierException) {
            name = "BrokenBarrierError";
        } else {
            name = e.getClass().getSimpleName();
        }
        String msg = e.getMessage();
        return msg != null && !msg.isEmpty() ? name + "(" + msg + ")" : name;
    }

    private static String outcome(Future<?> f) {
        if (!f.isDone()) {
            return "pending";
        }
        if (f.isCancelled()) {
            return "cancelled";
        }
        Throwable e = f.exception();
        return e != null ? "raised " + fmt(e) : "result " + str(f.result());
    }

    private static long ms() {
        return Math.round(EventLoop.current().time() / 1e6);
    }

    private static void settle() {
        for (int i = 0; i < 5; i++) {
            Task.yieldNow();
        }
    }

    private static void sleepMs(long ms) {
        Async.sleep(Duration.ofMillis(ms));
    }

    private Integer worker(String name, long delayMs, Integer value, String fail) {
        out(name, "start");
        sleepMs(delayMs);
        if (fail != null) {
            out(name, "fails");
            throw new IllegalArgumentException(fail);
        }
        out(name, "done");
        return value;
    }

    private Task<Integer> task(String name, long delayMs, Integer value) {
        return Async.createTask(() -> worker(name, delayMs, value, null));
    }

    private Task<Integer> failing(String name, long delayMs, String fail) {
        return Async.createTask(() -> worker(name, delayMs, null, fail));
    }

    private void add(String name, Callable<?> body) {
        cases.put(name, new Case(false, body));
    }

    private void addEager(String name, Callable<?> body) {
        cases.put(name, new Case(true, body));
    }

    private void add(String name, Runnable body) {
        add(name, () -> {
            body.run();
            return null;
        });
    }

    private void addEager(String name, Runnable body) {
        addEager(name, () -> {
            body.run();
            return null;
        });
    }

    // ------------------------------------------------------------------ the cases

    private void register() {
        gather();
        waitCases();
        waitFor();
        timeout();
        taskGroup();
        shield();
        cancellation();
        ordering();
        locks();
        queues();
        asCompleted();
        more();
        eager();
    }

    private void gather() {
        add("gather_results_in_argument_order", () -> {
            List<Object> r = Async.gather(task("a", 30, 1), task("b", 10, 2), task("c", 20, 3))
                    .await();
            out("gather", r, "at", ms());
        });
        add("gather_of_done_futures_is_done_at_once", () -> {
            EventLoop loop = EventLoop.current();
            Future<Integer> a = loop.createFuture();
            a.setResult(1);
            Future<Integer> b = loop.createFuture();
            b.setResult(2);
            Future<List<Object>> g = Async.gather(a, b, a);
            out("done at once", g.isDone(), g.result());
            Future<Integer> c = loop.createFuture();
            c.setException(new IllegalArgumentException("x"));
            Future<List<Object>> g2 = Async.gather(a, c);
            out("failed at once", g2.isDone(), fmt(g2.exception()));
        });
        add("gather_first_exception_leaves_the_others_running", () -> {
            Task<Integer> slow = task("slow", 30, 7);
            try {
                Async.gather(failing("bad", 10, "bad"), slow).await();
            } catch (IllegalArgumentException e) {
                out("gather raised", fmt(e), "at", ms(), "slow done", slow.isDone());
            }
            out("slow", slow.await(), "at", ms());
        });
        add("gather_return_exceptions", () -> {
            Task<Void> c = Async.createTask(() -> sleepMs(1000));
            EventLoop.current().callLater(Duration.ofMillis(5), c::cancel);
            List<Object> r = Async.gather(List.of(task("ok", 10, 1), failing("bad", 20, "no"), c),
                    true).await();
            out("results", r.stream().map(ParityCases::str).collect(Collectors.joining(", ")));
        });
        add("gather_cancel_fails_it_with_cancelled_error", () -> {
            Task<Integer> t1 = task("a", 100, null);
            Task<Integer> t2 = task("b", 100, null);
            Future<List<Object>> g = Async.gather(t1, t2);
            Task.yieldNow();
            out("cancel", g.cancel("bye"));
            try {
                g.await();
            } catch (CancelledException e) {
                out("await raised", fmt(e));
            }
            out("cancelled", g.isCancelled(), "exception", fmt(g.exception()));
            out("children", outcome(t1), outcome(t2));
            out("cancel again", g.cancel());
        });
        add("gather_with_return_exceptions_cancelled", () -> {
            Task<Integer> t1 = task("a", 100, null);
            Future<List<Object>> g = Async.gather(List.of(t1), true);
            Task.yieldNow();
            g.cancel();
            try {
                g.await();
            } catch (CancelledException e) {
                out("await raised", fmt(e));
            }
            out("cancelled", g.isCancelled(), "exception", fmt(g.exception()));
        });
        add("gather_child_cancelled_by_someone_else", () -> {
            Task<Integer> t1 = task("a", 100, null);
            Task<Integer> t2 = task("b", 20, 2);
            Future<List<Object>> g = Async.gather(t1, t2);
            sleepMs(10);
            t1.cancel("m");
            try {
                g.await();
            } catch (CancelledException e) {
                out("await raised", fmt(e), "b done", t2.isDone());
            }
            out("gather cancelled", g.isCancelled());
            out("b", t2.await());
        });
        add("cancelling_the_task_awaiting_gather", () -> {
            Task<Integer> t1 = task("a", 100, null);
            Task<List<Object>> w = Async.createTask(() -> Async.gather(t1).await());
            sleepMs(10);
            w.cancel();
            settle();
            out("waiter", outcome(w), "child", outcome(t1));
        });
    }

    private void waitCases() {
        add("wait_first_completed", () -> {
            Task<Integer> a = task("a", 30, 1);
            Task<Integer> b = task("b", 10, 2);
            WaitResult<Integer> r = Async.wait(List.of(a, b), null, ReturnWhen.FIRST_COMPLETED);
            out("done", r.done().stream().map(Future::result).toList(), "pending",
                    r.pending().size(), "at", ms());
            a.await();
        });
        add("wait_first_exception", () -> {
            Task<Integer> a = task("a", 10, 1);
            Task<Integer> b = failing("b", 20, "b");
            Task<Integer> c = task("c", 50, 3);
            WaitResult<Integer> r = Async.wait(List.of(a, b, c), null, ReturnWhen.FIRST_EXCEPTION);
            out("done", r.done().size(), "pending", r.pending().size(), "at", ms(), "c cancelled",
                    c.isCancelled());
            c.cancel();
        });
        add("wait_timeout_cancels_nothing", () -> {
            Task<Integer> a = task("a", 10, 1);
            Task<Integer> b = task("b", 30, 2);
            WaitResult<Integer> r = Async.wait(List.of(a, b), Duration.ofMillis(15),
                    ReturnWhen.ALL_COMPLETED);
            out("done", r.done().size(), "pending", r.pending().size(), "at", ms(), "b cancelled",
                    b.isCancelled());
            out("b", b.await(), "at", ms());
        });
        add("wait_of_done_futures_still_yields", () -> {
            EventLoop loop = EventLoop.current();
            Future<Integer> f = loop.createFuture();
            f.setResult(1);
            loop.callSoon(() -> out("callback ran"));
            WaitResult<Integer> r = Async.wait(List.of(f));
            out("done", r.done().size(), "pending", r.pending().size());
        });
    }

    private void waitFor() {
        add("wait_for_timeout_cancels_and_waits", () -> {
            Task<Void> t = Async.createTask(() -> {
                try {
                    sleepMs(1000);
                } catch (CancelledException e) {
                    out("slow cancelled at", ms());
                    sleepMs(5);
                    out("slow cleaned up at", ms());
                    throw e;
                }
            });
            try {
                Async.waitFor(t, Duration.ofMillis(10));
            } catch (TimeoutException e) {
                out("wait_for raised", fmt(e), "at", ms(), "task", outcome(t));
            }
        });
        add("wait_for_result_in_time", () -> {
            out("result", Async.waitFor(task("a", 10, 5), Duration.ofMillis(20)), "at", ms());
        });
        add("wait_for_zero_timeout", () -> {
            Future<Integer> f = EventLoop.current().createFuture();
            f.setResult(3);
            out("done future", Async.waitFor(f, Duration.ZERO));
            Task<Integer> t = task("a", 10, 1);
            try {
                Async.waitFor(t, Duration.ZERO);
            } catch (TimeoutException e) {
                out("pending task", fmt(e), outcome(t));
            }
        });
        add("wait_for_inner_swallows_the_cancel", () -> {
            Task<Integer> stubborn = Async.createTask(() -> {
                try {
                    sleepMs(1000);
                } catch (CancelledException e) {
                    out("stubborn swallows");
                }
                return 42;
            });
            out("result", Async.waitFor(stubborn, Duration.ofMillis(10)), "at", ms());
        });
        add("wait_for_outer_cancelled", () -> {
            Task<Integer> inner = task("inner", 100, null);
            Task<Integer> o = Async.createTask(() -> Async.waitFor(inner, Duration.ofSeconds(1)));
            sleepMs(10);
            o.cancel();
            settle();
            out("outer", outcome(o), "inner", outcome(inner));
        });
    }

    private void timeout() {
        add("timeout_expires", () -> {
            Timeout cm = Async.timeout(Duration.ofMillis(10));
            try {
                cm.run(() -> worker("body", 100, null, null));
            } catch (TimeoutException e) {
                out("raised", fmt(e), "expired", cm.expired(), "at", ms());
            }
        });
        add("timeout_reschedule", () -> {
            Timeout cm = Async.timeout(Duration.ofMillis(10));
            try {
                cm.run(() -> {
                    cm.reschedule(EventLoop.current().time() + Duration.ofMillis(30).toNanos());
                    worker("body", 20, null, null);
                    worker("body2", 20, null, null);
                });
            } catch (TimeoutException e) {
                out("raised", fmt(e), "at", ms());
            }
        });
        add("timeout_nested_outer_expires_first", () -> {
            try {
                Async.timeout(Duration.ofMillis(10), () -> {
                    try {
                        Async.timeout(Duration.ofMillis(20), () -> sleepMs(1000));
                    } catch (TimeoutException e) {
                        out("inner timeout");
                    } catch (CancelledException e) {
                        out("inner sees", fmt(e));
                        throw e;
                    }
                });
            } catch (TimeoutException e) {
                out("outer raised", fmt(e), "at", ms());
            }
        });
        add("timeout_does_not_turn_an_outside_cancel_into_a_timeout", () -> {
            Task<Void> t = Async.createTask(() -> {
                try {
                    Async.timeout(Duration.ofMillis(50), () -> sleepMs(1000));
                } catch (TimeoutException e) {
                    out("wrongly a timeout");
                }
            });
            sleepMs(10);
            t.cancel();
            settle();
            out("task", outcome(t), "cancelling", t.cancelling());
        });
        add("timeout_expiring_while_an_outside_cancel_is_pending", () -> {
            Task<Void> t = Async.createTask(() -> Async.timeout(Duration.ofMillis(10), () -> {
                try {
                    sleepMs(1000);
                } catch (CancelledException e) {
                    out("body cancelled at", ms());
                    sleepMs(10);
                    throw e;
                }
            }));
            sleepMs(15);
            t.cancel();
            sleepMs(20);
            out("task", outcome(t), "cancelling", t.cancelling());
        });
        add("timeout_swallowed_by_the_body", () -> {
            Timeout cm = Async.timeout(Duration.ofMillis(10));
            cm.run(() -> {
                try {
                    sleepMs(1000);
                } catch (CancelledException e) {
                    out("body swallows");
                }
            });
            out("after block expired", cm.expired(), "cancelling", Task.current().cancelling());
        });
    }

    private void taskGroup() {
        add("taskgroup_waits_for_every_task", () -> {
            List<Task<Integer>> ts = new ArrayList<>();
            TaskGroup.run(tg -> {
                ts.add(tg.createTask(() -> worker("a", 20, 1, null)));
                ts.add(tg.createTask(() -> worker("b", 10, 2, null)));
                out("body done");
            });
            out("results", ts.get(0).result(), ts.get(1).result(), "at", ms());
        });
        add("taskgroup_child_failure_cancels_the_others_and_the_body", () -> {
            Task<?> me = Task.current();
            List<Task<Integer>> other = new ArrayList<>();
            try {
                TaskGroup.run(tg -> {
                    tg.createTask(() -> worker("bad", 10, null, "bad"));
                    other.add(tg.createTask(() -> worker("other", 30, null, null)));
                    try {
                        sleepMs(1000);
                    } catch (CancelledException e) {
                        out("body cancelled at", ms(), "cancelling", me.cancelling());
                        throw e;
                    }
                });
            } catch (TaskGroupException eg) {
                out("raised", fmt(eg), "other", outcome(other.get(0)), "cancelling",
                        me.cancelling());
            }
        });
        add("taskgroup_two_failures_in_one_step", () -> {
            try {
                TaskGroup.run(tg -> {
                    tg.createTask(() -> {
                        throw new IllegalArgumentException("x");
                    });
                    tg.createTask(() -> {
                        throw new IllegalArgumentException("y");
                    });
                });
            } catch (TaskGroupException eg) {
                out("raised", fmt(eg));
            }
        });
        add("taskgroup_body_failure", () -> {
            List<Task<Integer>> t = new ArrayList<>();
            try {
                TaskGroup.run(tg -> {
                    t.add(tg.createTask(() -> worker("child", 30, null, null)));
                    sleepMs(10);
                    throw new IllegalArgumentException("body");
                });
            } catch (TaskGroupException eg) {
                out("raised", fmt(eg), "child", outcome(t.get(0)));
            }
        });
        add("taskgroup_outside_cancel", () -> {
            Task<Void> t = Async.createTask(() -> TaskGroup.run(tg -> {
                tg.createTask(() -> worker("child", 100, null, null));
                out("body waits");
            }));
            sleepMs(10);
            t.cancel();
            settle();
            out("task", outcome(t), "cancelling", t.cancelling());
        });
        add("taskgroup_outside_cancel_with_a_child_failure", () -> {
            Task<Void> t = Async.createTask(() -> {
                Task<?> me = Task.current();
                try {
                    TaskGroup.run(tg -> tg.createTask(() -> {
                        try {
                            sleepMs(1000);
                        } catch (CancelledException e) {
                            out("child fails while cancelled");
                            throw new IllegalArgumentException("late");
                        }
                    }));
                } catch (TaskGroupException eg) {
                    out("body got", fmt(eg), "cancelling", me.cancelling());
                }
                try {
                    Task.yieldNow();
                    out("not cancelled");
                } catch (CancelledException e) {
                    out("the outside cancel is still pending");
                    throw e;
                }
            });
            sleepMs(10);
            t.cancel();
            sleepMs(10);
            out("task", outcome(t));
        });
        add("taskgroup_child_fails_during_exit", () -> {
            Task<?> me = Task.current();
            List<Task<Integer>> other = new ArrayList<>();
            try {
                TaskGroup.run(tg -> {
                    tg.createTask(() -> worker("bad", 20, null, "late"));
                    other.add(tg.createTask(() -> worker("other", 50, null, null)));
                    out("body done, cancelling", me.cancelling());
                });
            } catch (TaskGroupException eg) {
                out("raised", fmt(eg), "other", outcome(other.get(0)), "cancelling",
                        me.cancelling(), "at", ms());
            }
        });
        add("taskgroup_parent_cancelling_seen_by_the_body", () -> {
            Task<?> me = Task.current();
            try {
                TaskGroup.run(tg -> {
                    tg.createTask(() -> {
                        sleepMs(10);
                        throw new IllegalArgumentException("x");
                    });
                    try {
                        sleepMs(1000);
                    } catch (CancelledException e) {
                        out("in body: cancelling", me.cancelling());
                        Task.yieldNow();
                        out("still in body");
                        throw e;
                    }
                });
            } catch (TaskGroupException eg) {
                out("after: cancelling", me.cancelling());
            }
            Task.yieldNow();
            out("parent goes on");
        });
        add("taskgroup_create_task_while_shutting_down", () -> {
            try {
                TaskGroup.run(tg -> {
                    tg.createTask(() -> {
                        throw new IllegalArgumentException("x");
                    });
                    try {
                        sleepMs(1000);
                    } catch (CancelledException e) {
                        try {
                            tg.createTask(() -> worker("late", 1, null, null));
                        } catch (IllegalStateException ex) {
                            out("create_task refused:", "RuntimeError");
                        }
                        throw e;
                    }
                });
            } catch (TaskGroupException eg) {
                out("raised", fmt(eg));
            }
        });
        add("taskgroup_under_a_timeout", () -> {
            List<Task<Integer>> t = new ArrayList<>();
            try {
                Async.timeout(Duration.ofMillis(10), () -> TaskGroup.run(tg -> {
                    t.add(tg.createTask(() -> worker("child", 100, null, null)));
                    sleepMs(1000);
                }));
            } catch (TimeoutException e) {
                out("raised", fmt(e), "child", outcome(t.get(0)), "at", ms());
            }
        });
        add("taskgroup_nested_failure", () -> {
            List<Task<Integer>> sibling = new ArrayList<>();
            try {
                TaskGroup.run(outer -> {
                    sibling.add(outer.createTask(() -> worker("sibling", 50, null, null)));
                    TaskGroup.run(inner -> {
                        inner.createTask(() -> worker("bad", 10, null, "inner"));
                        inner.createTask(() -> worker("peer", 30, null, null));
                    });
                });
            } catch (TaskGroupException eg) {
                out("raised", fmt(eg), "sibling", outcome(sibling.get(0)));
            }
        });
    }

    private void shield() {
        add("shield_protects_the_inner_task", () -> {
            Task<Integer> inner = task("inner", 20, 9);
            Task<Integer> o = Async.createTask(() -> Async.shield(inner).await());
            sleepMs(10);
            o.cancel();
            Task.yieldNow();
            out("outer", outcome(o), "inner done", inner.isDone());
            out("inner", inner.await(), "at", ms());
        });
        add("shield_follows_a_cancelled_inner", () -> {
            Task<Integer> inner = task("inner", 20, null);
            Future<Integer> s = Async.shield(inner);
            sleepMs(10);
            inner.cancel();
            try {
                s.await();
            } catch (CancelledException e) {
                out("shield raised", fmt(e), "cancelled", s.isCancelled());
            }
        });
        add("shield_of_a_done_future_is_the_future", () -> {
            Future<Integer> f = EventLoop.current().createFuture();
            f.setResult(1);
            out("same", Async.shield(f) == f);
        });
    }

    private void cancellation() {
        add("cancel_requests_are_counted", () -> {
            Task<Integer> t = Async.createTask(() -> {
                Task<?> me = Task.current();
                try {
                    sleepMs(1000);
                } catch (CancelledException e) {
                    out("caught", fmt(e), "cancelling", me.cancelling());
                    out("uncancel ->", me.uncancel());
                }
                sleepMs(10);
                out("goes on, cancelling", me.cancelling());
                return 5;
            });
            Task.yieldNow();
            out("cancel", t.cancel("one"), t.cancel("two"), "cancelling", t.cancelling());
            out("task", t.isDone() ? outcome(t) : "pending");
            sleepMs(20);
            out("task", outcome(t), "cancelling", t.cancelling());
        });
        add("cancel_before_the_first_step", () -> {
            Task<Integer> t = task("never", 10, null);
            out("cancel", t.cancel("early"));
            Task.yieldNow();
            out("task", outcome(t));
            try {
                t.result();
            } catch (CancelledException e) {
                out("result raised", fmt(e));
            }
        });
        add("cancel_while_running_then_return", () -> {
            Task<Integer> t = Async.createTask(() -> {
                Task.current().cancel("self");
                out("still running");
                return 1;
            });
            Task.yieldNow();
            out("task", outcome(t));
        });
        add("swallowed_cancel_returns_normally", () -> {
            Task<Integer> t = Async.createTask(() -> {
                try {
                    sleepMs(1000);
                } catch (CancelledException e) {
                    // swallowed
                }
                return 7;
            });
            Task.yieldNow();
            t.cancel();
            settle();
            out("task", outcome(t), "cancelling", t.cancelling());
            out("cancel done task", t.cancel());
        });
        add("awaiting_a_cancelled_future_cancels_the_task", () -> {
            Future<Integer> f = EventLoop.current().createFuture();
            Task<Integer> t = Async.createTask(f::await);
            Task.yieldNow();
            f.cancel("gone");
            settle();
            out("task", outcome(t));
            try {
                t.result();
            } catch (CancelledException e) {
                out("result raised", fmt(e));
            }
        });
    }

    private void ordering() {
        add("sleep0_interleaves_tasks_in_creation_order", () -> {
            List<Task<Void>> ts = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                ts.add(Async.createTask(() -> {
                    for (int i = 0; i < 3; i++) {
                        out(name, i);
                        Task.yieldNow();
                    }
                }));
            }
            Async.gather(ts).await();
        });
        add("call_soon_and_task_steps_share_the_ready_queue", () -> {
            EventLoop loop = EventLoop.current();
            loop.callSoon(() -> out("callback 1"));
            Task<Void> task = Async.createTask(() -> {
                out("task", "step 1");
                Task.yieldNow();
                out("task", "step 2");
            });
            loop.callSoon(() -> out("callback 2"));
            Task.yieldNow();
            out("main after sleep(0)");
            task.await();
        });
        add("done_callbacks_run_later_in_order", () -> {
            Future<Integer> f = EventLoop.current().createFuture();
            f.addDoneCallback(x -> out("cb 1"));
            f.addDoneCallback(x -> out("cb 2"));
            f.setResult(1);
            out("after set_result");
            f.addDoneCallback(x -> out("cb 3 (added when done)"));
            Task.yieldNow();
            out("after sleep(0)");
        });
    }

    private void locks() {
        add("lock_is_fifo", () -> {
            Lock lock = new Lock();
            List<Task<Void>> ts = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                ts.add(Async.createTask(() -> lock.withLock(() -> {
                    out(name, "has the lock");
                    sleepMs(10);
                })));
            }
            Async.gather(ts).await();
        });
        add("lock_waiter_cancelled_passes_the_turn", () -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Void> a = Async.createTask(() -> lock.withLock(() -> out("a", "has the lock")));
            Task<Void> b = Async.createTask(() -> lock.withLock(() -> out("b", "has the lock")));
            Task.yieldNow();
            a.cancel();
            lock.release();
            settle();
            out("a", outcome(a), "b", outcome(b), "locked", lock.isLocked());
        });
        add("semaphore_order", () -> {
            Semaphore sem = new Semaphore(2);
            List<Task<Void>> ts = new ArrayList<>();
            String[] names = {"a", "b", "c", "d", "e"};
            long[] delays = {10, 30, 10, 10, 10};
            for (int i = 0; i < names.length; i++) {
                String name = names[i];
                long d = delays[i];
                ts.add(Async.createTask(() -> sem.withPermit(() -> {
                    out(name, "in at", ms());
                    sleepMs(d);
                })));
            }
            Async.gather(ts).await();
        });
        add("bounded_semaphore_over_release", () -> {
            BoundedSemaphore sem = new BoundedSemaphore(1);
            try {
                sem.release();
            } catch (IllegalStateException e) {
                out("over-release refused");
            }
        });
        add("event_wakes_every_waiter", () -> {
            Event ev = new Event();
            List<Task<Void>> ts = new ArrayList<>();
            for (String name : List.of("a", "b")) {
                ts.add(Async.createTask(() -> {
                    out(name, "waits");
                    ev.await();
                    out(name, "woken");
                }));
            }
            Task.yieldNow();
            ev.set();
            ev.clear();
            out("set then cleared", ev.isSet());
            Async.gather(ts).await();
        });
        add("condition_notify_order", () -> {
            Condition cond = new Condition();
            List<Task<Void>> ts = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                ts.add(Async.createTask(() -> cond.withLock(() -> {
                    cond.await();
                    out(name, "notified");
                })));
            }
            Task.yieldNow();
            cond.withLock(() -> cond.notify(1));
            Task.yieldNow();
            cond.withLock(cond::notifyAllWaiters);
            Async.gather(ts).await();
        });
        add("condition_wait_for_predicate", () -> {
            Condition cond = new Condition();
            List<Integer> box = new ArrayList<>();
            Task<Void> t = Async.createTask(() -> cond.withLock(() -> {
                boolean r = cond.awaitFor(() -> box.size() >= 2);
                out("predicate true", r, List.copyOf(box));
            }));
            for (int i = 0; i < 3; i++) {
                sleepMs(10);
                int v = i;
                cond.withLock(() -> {
                    box.add(v);
                    cond.notifyAllWaiters();
                });
            }
            t.await();
        });
        add("barrier_releases_all_parties", () -> {
            Barrier b = new Barrier(3);
            List<Task<Void>> ts = new ArrayList<>();
            String[] names = {"a", "b", "c"};
            for (int i = 0; i < 3; i++) {
                String name = names[i];
                long d = 10L * (i + 1);
                ts.add(Async.createTask(() -> {
                    sleepMs(d);
                    out(name, "arrives");
                    int index = b.await();
                    out(name, "passes with index", index);
                }));
            }
            Async.gather(ts).await();
            out("broken", b.isBroken(), "waiting", b.waiting());
        });
        add("barrier_abort_breaks_waiters", () -> {
            Barrier b = new Barrier(2);
            Task<Void> t = Async.createTask(() -> {
                try {
                    b.await();
                } catch (BrokenBarrierException e) {
                    out("waiter", "BrokenBarrierError");
                }
            });
            Task.yieldNow();
            b.abort();
            t.await();
            out("broken", b.isBroken());
        });
    }

    private void queues() {
        add("queue_put_blocks_when_full", () -> {
            Queue<Integer> q = new Queue<>(1);
            Task<Void> p = Async.createTask(() -> {
                for (int i = 0; i < 3; i++) {
                    q.put(i);
                    out("put", i, "at", ms());
                }
            });
            for (int i = 0; i < 3; i++) {
                sleepMs(10);
                out("got", q.get(), "at", ms());
            }
            p.await();
        });
        add("queue_getters_are_served_in_order", () -> {
            Queue<Integer> q = new Queue<>();
            List<Task<Void>> ts = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                ts.add(Async.createTask(() -> out(name, "got", q.get())));
            }
            Task.yieldNow();
            for (int i = 0; i < 3; i++) {
                q.putNowait(i);
            }
            Async.gather(ts).await();
        });
        add("priority_and_lifo_queues", () -> {
            PriorityQueue<Integer> pq = new PriorityQueue<>();
            for (int x : new int[] {3, 1, 2}) {
                pq.putNowait(x);
            }
            LifoQueue<Integer> lq = new LifoQueue<>();
            for (int x : new int[] {1, 2, 3}) {
                lq.putNowait(x);
            }
            out("priority", List.of(pq.getNowait(), pq.getNowait(), pq.getNowait()));
            out("lifo", List.of(lq.getNowait(), lq.getNowait(), lq.getNowait()));
        });
        add("queue_join_and_task_done", () -> {
            Queue<Integer> q = new Queue<>();
            Task<Void> w = Async.createTask(() -> {
                while (true) {
                    int item = q.get();
                    sleepMs(10);
                    out("processed", item);
                    q.taskDone();
                }
            });
            for (int i = 0; i < 3; i++) {
                q.putNowait(i);
            }
            q.join();
            out("joined at", ms());
            w.cancel();
        });
        add("queue_shutdown", () -> {
            Queue<Integer> q = new Queue<>();
            q.putNowait(1);
            Task<Void> t = Async.createTask(() -> {
                try {
                    while (true) {
                        out("g", "got", q.get());
                    }
                } catch (QueueShutDownException e) {
                    out("g", "shut down");
                }
            });
            Task.yieldNow();
            q.shutdown();
            t.await();
            try {
                q.putNowait(2);
            } catch (QueueShutDownException e) {
                out("put refused");
            }
            Queue<Integer> q2 = new Queue<>();
            q2.putNowait(1);
            q2.shutdown(true);
            out("immediate: empty", q2.isEmpty());
        });
        add("queue_shutdown_immediate_releases_everyone", () -> {
            Queue<Integer> q = new Queue<>(1);
            q.putNowait(1);
            Task<Void> p = Async.createTask(() -> {
                try {
                    q.put(2);
                } catch (QueueShutDownException e) {
                    out("putter shut down");
                }
            });
            Task<Void> j = Async.createTask(() -> {
                q.join();
                out("join released, empty", q.isEmpty());
            });
            Task.yieldNow();
            q.shutdown(true);
            Async.gather(p, j).await();
            try {
                q.get();
            } catch (QueueShutDownException e) {
                out("get refused");
            }
        });
        add("queue_nowait_errors", () -> {
            Queue<Integer> q = new Queue<>(1);
            try {
                q.getNowait();
            } catch (QueueEmptyException e) {
                out("QueueEmpty");
            }
            q.putNowait(1);
            try {
                q.putNowait(2);
            } catch (QueueFullException e) {
                out("QueueFull");
            }
        });
    }

    private void asCompleted() {
        add("as_completed_in_completion_order", () -> {
            List<Task<Integer>> fs = List.of(task("a", 30, 1), task("b", 10, 2), task("c", 20, 3));
            for (Future<Integer> f : Async.asCompleted(fs)) {
                out("next", f.await(), "at", ms());
            }
        });
        add("as_completed_timeout", () -> {
            List<Task<Integer>> fs = List.of(task("a", 10, 1), task("b", 50, 2));
            try {
                for (Future<Integer> f : Async.asCompleted(fs, Duration.ofMillis(20))) {
                    out("next", f.await(), "at", ms());
                }
            } catch (TimeoutException e) {
                out("raised", fmt(e), "at", ms(), "b cancelled", fs.get(1).isCancelled());
            }
            fs.get(1).cancel();
        });
        add("as_completed_async_iteration_yields_the_originals", () -> {
            Task<Integer> a = task("a", 20, 1);
            Task<Integer> b = task("b", 10, 2);
            AsCompleted<Integer> it = Async.asCompleted(List.of(a, b));
            while (it.hasNext()) {
                Future<? extends Integer> f = it.nextDone();
                out("original", f == a ? "a" : f == b ? "b" : "other", f.result());
            }
        });
    }

    private void more() {
        add("lock_acquire_cancelled_after_being_woken", () -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Void> a = Async.createTask(() -> {
                lock.acquire();
                out("a", "acquired");
                lock.release();
            });
            Task<Void> b = Async.createTask(() -> {
                lock.acquire();
                out("b", "acquired");
                lock.release();
            });
            Task.yieldNow();
            lock.release();
            a.cancel();
            settle();
            out("a", outcome(a), "b", outcome(b), "locked", lock.isLocked());
        });
        add("semaphore_waiter_cancelled_after_being_woken_gives_the_permit_back", () -> {
            Semaphore sem = new Semaphore(1);
            sem.acquire();
            Task<Void> a = Async.createTask(() -> sem.withPermit(() -> out("a", "in")));
            Task<Void> b = Async.createTask(() -> sem.withPermit(() -> out("b", "in")));
            Task.yieldNow();
            sem.release();
            a.cancel();
            settle();
            out("a", outcome(a), "b", outcome(b), "locked", sem.isLocked());
        });
        add("condition_wait_cancelled_reacquires_the_lock", () -> {
            Condition cond = new Condition();
            Task<Void> t = Async.createTask(() -> cond.withLock(() -> {
                try {
                    cond.await();
                } catch (CancelledException e) {
                    out("cancelled, holds the lock", cond.isLocked());
                    throw e;
                }
            }));
            Task.yieldNow();
            t.cancel();
            settle();
            out("task", outcome(t), "locked", cond.isLocked());
        });
        add("event_already_set_does_not_suspend", () -> {
            Event ev = new Event();
            ev.set();
            EventLoop.current().callSoon(() -> out("callback"));
            out("wait", ev.await());
            Task.yieldNow();
        });
        add("queue_getter_cancelled_leaves_the_item", () -> {
            Queue<Integer> q = new Queue<>();
            Task<Void> a = Async.createTask(() -> out("a", "got", q.get()));
            Task<Void> b = Async.createTask(() -> out("b", "got", q.get()));
            Task.yieldNow();
            q.putNowait(1);
            a.cancel();
            settle();
            out("a", outcome(a), "b", outcome(b), "size", q.qsize());
        });
        add("barrier_waiter_cancelled_while_filling", () -> {
            Barrier b = new Barrier(2);
            Task<Void> a = Async.createTask(() -> out("a", "index", b.await()));
            Task.yieldNow();
            a.cancel();
            settle();
            out("a", outcome(a), "waiting", b.waiting(), "broken", b.isBroken());
            Task<Void> c = Async.createTask(() -> out("c", "index", b.await()));
            Task<Void> d = Async.createTask(() -> out("d", "index", b.await()));
            Async.gather(c, d).await();
        });
        add("wait_returns_cancelled_futures_as_done", () -> {
            Task<Integer> a = task("a", 100, null);
            Task<Integer> b = task("b", 20, 2);
            EventLoop.current().callLater(Duration.ofMillis(10), a::cancel);
            WaitResult<Integer> r = Async.wait(List.of(a, b), null, ReturnWhen.FIRST_COMPLETED);
            out("done", r.done().stream().map(ParityCases::outcome)
                    .collect(Collectors.joining(", ")), "pending", r.pending().size(), "at", ms());
            b.await();
        });
        add("nested_gather_cancel", () -> {
            Future<List<Object>> inner = Async.gather(task("a", 100, null), task("b", 100, null));
            Future<List<Object>> outer = Async.gather(inner, task("c", 100, null));
            Task.yieldNow();
            out("cancel outer", outer.cancel());
            try {
                outer.await();
            } catch (CancelledException e) {
                out("outer raised", fmt(e));
            }
            out("inner", inner.isCancelled() ? "cancelled" : fmt(inner.exception()));
        });
        add("timeout_at_a_past_deadline_expires_at_the_first_await", () -> {
            try {
                Async.timeoutAt(EventLoop.current().time() - Duration.ofSeconds(1).toNanos())
                        .run(() -> {
                            out("body runs");
                            Task.yieldNow();
                            out("not reached");
                        });
            } catch (TimeoutException e) {
                out("raised", fmt(e), "at", ms());
            }
        });
        add("timeout_none_then_rescheduled", () -> {
            Timeout cm = Async.timeout(null);
            try {
                cm.run(() -> {
                    out("when", cm.when().isPresent() ? cm.when().getAsLong() : null);
                    sleepMs(10);
                    cm.reschedule(EventLoop.current().time() + Duration.ofMillis(10).toNanos());
                    sleepMs(1000);
                });
            } catch (TimeoutException e) {
                out("raised", fmt(e), "at", ms());
            }
        });
        add("wait_for_a_task_that_fails_in_time", () -> {
            try {
                Async.waitFor(failing("a", 10, "no"), Duration.ofSeconds(1));
            } catch (IllegalArgumentException e) {
                out("raised", fmt(e), "at", ms());
            }
        });
        add("shield_inner_failure_after_the_outer_was_cancelled", () -> {
            Task<Integer> inner = failing("inner", 20, "late");
            Future<Integer> s = Async.shield(inner);
            sleepMs(10);
            s.cancel();
            try {
                inner.await();
            } catch (IllegalArgumentException e) {
                out("inner raised", fmt(e), "shield cancelled", s.isCancelled());
            }
        });
        add("negative_sleep_is_sleep_zero", () -> {
            EventLoop.current().callSoon(() -> out("callback"));
            Async.sleep(Duration.ofSeconds(-1));
            out("after sleep(-1) at", ms());
        });
        add("timers_run_in_deadline_order", () -> {
            EventLoop loop = EventLoop.current();
            loop.callLater(Duration.ofMillis(30), () -> out("30"));
            loop.callLater(Duration.ofMillis(10), () -> out("10"));
            var h = loop.callLater(Duration.ofMillis(20), () -> out("20 (cancelled)"));
            loop.callLater(Duration.ofMillis(20), () -> out("20"));
            h.cancel();
            loop.callLater(Duration.ofSeconds(-1), () -> out("negative delay"));
            sleepMs(50);
        });
        add("run_cancels_the_tasks_left_over", () -> {
            Async.createTask(() -> {
                try {
                    sleepMs(1000);
                } catch (CancelledException e) {
                    out("background cancelled at shutdown");
                    throw e;
                }
            });
            Task.yieldNow();
            out("main returns");
        });
    }

    private void eager() {
        addEager("eager_task_runs_until_its_first_await", () -> {
            Task<Integer> t = Async.createTask(() -> {
                out("body starts");
                Task.yieldNow();
                out("body resumes");
                return 1;
            });
            out("after create_task, done", t.isDone());
            out("result", t.await());
        });
        addEager("eager_task_that_never_suspends_is_done_at_once", () -> {
            EventLoop.current().callSoon(() -> out("callback"));
            Task<Integer> t = Async.createTask(() -> {
                out("body runs");
                return 2;
            });
            out("done", t.isDone(), "result", t.result());
            Task.yieldNow();
        });
        addEager("eager_task_sees_itself_as_current", () -> {
            Task<?> me = Task.current();
            Task<Void> t = Async.createTask(() -> {
                out("current is the new task", Task.current() != me);
            });
            out("back in parent, current is parent", Task.current() == me, t.isDone());
        });
        addEager("eager_task_that_fails_at_once", () -> {
            Task<Object> t = Async.createTask(() -> {
                throw new IllegalArgumentException("early");
            });
            out("task", outcome(t));
        });
        addEager("eager_tasks_in_a_taskgroup", () -> {
            List<Task<Integer>> ts = new ArrayList<>();
            TaskGroup.run(tg -> {
                ts.add(tg.createTask(() -> worker("a", 10, 1, null)));
                out("created a");
                ts.add(tg.createTask(() -> worker("b", 0, 2, null)));
                out("created b");
            });
            out("results", ts.get(0).result(), ts.get(1).result());
        });
        addEager("eager_gather_of_tasks_that_finish_at_once", () -> {
            Future<List<Object>> g = Async.gather(Async.createTask(() -> 1),
                    Async.createTask(() -> 2));
            out("gather done at once", g.isDone(), g.result());
        });
    }
}
