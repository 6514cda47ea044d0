# The asyncio side of Pollen's parity check (AsyncioParityTest runs it with CPython 3.13 and
# compares its output with the Java side, dev.pollen.parity.ParityCases, case by case).
#
# Each case is a small asyncio program that prints a trace: what ran, in which order, what was
# returned or raised. Both sides print the same words, with exceptions named as asyncio names them
# (the Java side maps CancelledException to CancelledError and so on; see fmt()).
#
# Time is virtual on both sides, so a trace never depends on the machine's speed: the Python loop
# below jumps its clock to the next timer whenever it would sleep (what Pollen's
# EventLoop.builder().virtualTime(true) does), and its clock ticks one nanosecond per reading so
# timers with the same delay run in the order they were scheduled, as on a real clock.
#
# Usage: python3.13 asyncio_cases.py [case ...]    (no argument: every case)

import asyncio
import selectors
import sys

if sys.version_info[:2] != (3, 13):
    sys.exit("asyncio_cases.py is the asyncio 3.13 reference: run it with Python 3.13, not "
             + sys.version.split()[0])


class _VirtualSelector:
    """Wraps the loop's selector: a poll never waits; the loop's clock jumps instead."""

    def __init__(self, loop, real):
        self._loop = loop
        self._real = real

    def select(self, timeout=None):
        events = self._real.select(0)
        if not events and self._loop._scheduled and (timeout is None or timeout > 0):
            self._loop._now = max(self._loop._now, self._loop._scheduled[0]._when)
        return events

    def __getattr__(self, name):
        return getattr(self._real, name)


class VirtualLoop(asyncio.SelectorEventLoop):
    def __init__(self):
        self._now = 0.0
        self._ticks = 0
        super().__init__(selectors.DefaultSelector())
        self._selector = _VirtualSelector(self, self._selector)

    def time(self):
        self._ticks += 1
        return self._now + self._ticks * 1e-9


def eager_loop():
    loop = VirtualLoop()
    loop.set_task_factory(asyncio.eager_task_factory)
    return loop


def out(*parts):
    print(" ".join(str(p) for p in parts), flush=True)


def fmt(e):
    """An exception as the trace shows it: its asyncio name and message."""
    if isinstance(e, BaseExceptionGroup):
        return "ExceptionGroup[" + ", ".join(fmt(x) for x in e.exceptions) + "]"
    name = type(e).__name__
    if isinstance(e, TimeoutError):
        return name  # asyncio's TimeoutError carries no message
    msg = str(e)
    return f"{name}({msg})" if msg else name


def outcome(f):
    """A future's outcome as the trace shows it."""
    if not f.done():
        return "pending"
    if f.cancelled():
        return "cancelled"
    e = f.exception()
    return "raised " + fmt(e) if e is not None else f"result {f.result()}"


async def settle():
    """Lets a chain of callbacks and task steps run out (a few loop iterations)."""
    for _ in range(5):
        await asyncio.sleep(0)


def ms():
    return round(asyncio.get_running_loop().time() * 1000)


CASES = []


def case(fn=None, *, eager=False):
    def register(f):
        CASES.append((f.__name__, f, eager))
        return f
    return register(fn) if fn else register


async def worker(name, delay_ms, value=None, fail=None):
    out(name, "start")
    await asyncio.sleep(delay_ms / 1000)
    if fail:
        out(name, "fails")
        raise ValueError(fail)
    out(name, "done")
    return value


# ---------------------------------------------------------------- gather

@case
async def gather_results_in_argument_order():
    r = await asyncio.gather(worker("a", 30, 1), worker("b", 10, 2), worker("c", 20, 3))
    out("gather", r, "at", ms())


@case
async def gather_of_done_futures_is_done_at_once():
    loop = asyncio.get_running_loop()
    a = loop.create_future()
    a.set_result(1)
    b = loop.create_future()
    b.set_result(2)
    g = asyncio.gather(a, b, a)
    out("done at once", g.done(), g.result())
    c = loop.create_future()
    c.set_exception(ValueError("x"))
    g2 = asyncio.gather(a, c)
    out("failed at once", g2.done(), fmt(g2.exception()))


@case
async def gather_first_exception_leaves_the_others_running():
    slow = asyncio.create_task(worker("slow", 30, 7))
    try:
        await asyncio.gather(worker("bad", 10, fail="bad"), slow)
    except ValueError as e:
        out("gather raised", fmt(e), "at", ms(), "slow done", slow.done())
    out("slow", await slow, "at", ms())


@case
async def gather_return_exceptions():
    async def cancelled_soon():
        await asyncio.sleep(1)
    c = asyncio.create_task(cancelled_soon())
    asyncio.get_running_loop().call_later(0.005, c.cancel)
    r = await asyncio.gather(worker("ok", 10, 1), worker("bad", 20, fail="no"), c,
                             return_exceptions=True)
    out("results", ", ".join(fmt(x) if isinstance(x, BaseException) else str(x) for x in r))


@case
async def gather_cancel_fails_it_with_cancelled_error():
    t1 = asyncio.create_task(worker("a", 100))
    t2 = asyncio.create_task(worker("b", 100))
    g = asyncio.gather(t1, t2)
    await asyncio.sleep(0)
    out("cancel", g.cancel("bye"))
    try:
        await g
    except asyncio.CancelledError as e:
        out("await raised", fmt(e))
    out("cancelled", g.cancelled(), "exception", fmt(g.exception()))
    out("children", outcome(t1), outcome(t2))
    out("cancel again", g.cancel())


@case
async def gather_with_return_exceptions_cancelled():
    t1 = asyncio.create_task(worker("a", 100))
    g = asyncio.gather(t1, return_exceptions=True)
    await asyncio.sleep(0)
    g.cancel()
    try:
        await g
    except asyncio.CancelledError as e:
        out("await raised", fmt(e))
    out("cancelled", g.cancelled(), "exception", fmt(g.exception()))


@case
async def gather_child_cancelled_by_someone_else():
    t1 = asyncio.create_task(worker("a", 100))
    t2 = asyncio.create_task(worker("b", 20, 2))
    g = asyncio.gather(t1, t2)
    await asyncio.sleep(0.01)
    t1.cancel("m")
    try:
        await g
    except asyncio.CancelledError as e:
        out("await raised", fmt(e), "b done", t2.done())
    out("gather cancelled", g.cancelled())
    out("b", await t2)


@case
async def cancelling_the_task_awaiting_gather():
    t1 = asyncio.create_task(worker("a", 100))

    async def waiter():
        return await asyncio.gather(t1)
    w = asyncio.create_task(waiter())
    await asyncio.sleep(0.01)
    w.cancel()
    await settle()
    out("waiter", outcome(w), "child", outcome(t1))


# ---------------------------------------------------------------- wait

@case
async def wait_first_completed():
    a = asyncio.create_task(worker("a", 30, 1))
    b = asyncio.create_task(worker("b", 10, 2))
    done, pending = await asyncio.wait([a, b], return_when=asyncio.FIRST_COMPLETED)
    out("done", [t.result() for t in done], "pending", len(pending), "at", ms())
    await a


@case
async def wait_first_exception():
    a = asyncio.create_task(worker("a", 10, 1))
    b = asyncio.create_task(worker("b", 20, fail="b"))
    c = asyncio.create_task(worker("c", 50, 3))
    done, pending = await asyncio.wait([a, b, c], return_when=asyncio.FIRST_EXCEPTION)
    out("done", len(done), "pending", len(pending), "at", ms(), "c cancelled", c.cancelled())
    c.cancel()


@case
async def wait_timeout_cancels_nothing():
    a = asyncio.create_task(worker("a", 10, 1))
    b = asyncio.create_task(worker("b", 30, 2))
    done, pending = await asyncio.wait([a, b], timeout=0.015)
    out("done", len(done), "pending", len(pending), "at", ms(), "b cancelled", b.cancelled())
    out("b", await b, "at", ms())


@case
async def wait_of_done_futures_still_yields():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    f.set_result(1)
    loop.call_soon(out, "callback ran")
    done, pending = await asyncio.wait([f])
    out("done", len(done), "pending", len(pending))


# ---------------------------------------------------------------- wait_for

@case
async def wait_for_timeout_cancels_and_waits():
    async def slow():
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            out("slow cancelled at", ms())
            await asyncio.sleep(0.005)
            out("slow cleaned up at", ms())
            raise
    t = asyncio.create_task(slow())
    try:
        await asyncio.wait_for(t, 0.01)
    except TimeoutError as e:
        out("wait_for raised", fmt(e), "at", ms(), "task", outcome(t))


@case
async def wait_for_result_in_time():
    out("result", await asyncio.wait_for(worker("a", 10, 5), 0.02), "at", ms())


@case
async def wait_for_zero_timeout():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    f.set_result(3)
    out("done future", await asyncio.wait_for(f, 0))
    t = asyncio.create_task(worker("a", 10, 1))
    try:
        await asyncio.wait_for(t, 0)
    except TimeoutError as e:
        out("pending task", fmt(e), outcome(t))


@case
async def wait_for_inner_swallows_the_cancel():
    async def stubborn():
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            out("stubborn swallows")
        return 42
    out("result", await asyncio.wait_for(stubborn(), 0.01), "at", ms())


@case
async def wait_for_outer_cancelled():
    inner = asyncio.create_task(worker("inner", 100))

    async def outer():
        return await asyncio.wait_for(inner, 1)
    o = asyncio.create_task(outer())
    await asyncio.sleep(0.01)
    o.cancel()
    await settle()
    out("outer", outcome(o), "inner", outcome(inner))


# ---------------------------------------------------------------- timeout

@case
async def timeout_expires():
    try:
        async with asyncio.timeout(0.01) as cm:
            await worker("body", 100)
    except TimeoutError as e:
        out("raised", fmt(e), "expired", cm.expired(), "at", ms())


@case
async def timeout_reschedule():
    try:
        async with asyncio.timeout(0.01) as cm:
            cm.reschedule(asyncio.get_running_loop().time() + 0.03)
            await worker("body", 20)
            await worker("body2", 20)
    except TimeoutError as e:
        out("raised", fmt(e), "at", ms())


@case
async def timeout_nested_outer_expires_first():
    try:
        async with asyncio.timeout(0.01):
            try:
                async with asyncio.timeout(0.02):
                    await asyncio.sleep(1)
            except TimeoutError:
                out("inner timeout")
            except asyncio.CancelledError as e:
                out("inner sees", fmt(e))
                raise
    except TimeoutError as e:
        out("outer raised", fmt(e), "at", ms())


@case
async def timeout_does_not_turn_an_outside_cancel_into_a_timeout():
    async def body():
        try:
            async with asyncio.timeout(0.05):
                await asyncio.sleep(1)
        except TimeoutError:
            out("wrongly a timeout")
    t = asyncio.create_task(body())
    await asyncio.sleep(0.01)
    t.cancel()
    await settle()
    out("task", outcome(t), "cancelling", t.cancelling())


@case
async def timeout_expiring_while_an_outside_cancel_is_pending():
    async def body():
        async with asyncio.timeout(0.01):
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                out("body cancelled at", ms())
                await asyncio.sleep(0.01)
                raise
    t = asyncio.create_task(body())
    await asyncio.sleep(0.015)
    t.cancel()
    await asyncio.sleep(0.02)
    out("task", outcome(t), "cancelling", t.cancelling())


@case
async def timeout_swallowed_by_the_body():
    async with asyncio.timeout(0.01) as cm:
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            out("body swallows")
    out("after block expired", cm.expired(), "cancelling", asyncio.current_task().cancelling())


# ---------------------------------------------------------------- TaskGroup

@case
async def taskgroup_waits_for_every_task():
    async with asyncio.TaskGroup() as tg:
        a = tg.create_task(worker("a", 20, 1))
        b = tg.create_task(worker("b", 10, 2))
        out("body done")
    out("results", a.result(), b.result(), "at", ms())


@case
async def taskgroup_child_failure_cancels_the_others_and_the_body():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(worker("bad", 10, fail="bad"))
            other = tg.create_task(worker("other", 30))
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                out("body cancelled at", ms(), "cancelling", me.cancelling())
                raise
    except* ValueError as eg:
        out("raised", fmt(eg), "other", outcome(other), "cancelling", me.cancelling())


@case
async def taskgroup_two_failures_in_one_step():
    async def boom(msg):
        raise ValueError(msg)
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(boom("x"))
            tg.create_task(boom("y"))
    except* ValueError as eg:
        out("raised", fmt(eg))


@case
async def taskgroup_body_failure():
    try:
        async with asyncio.TaskGroup() as tg:
            t = tg.create_task(worker("child", 30))
            await asyncio.sleep(0.01)
            raise ValueError("body")
    except* ValueError as eg:
        out("raised", fmt(eg), "child", outcome(t))


@case
async def taskgroup_outside_cancel():
    async def body():
        async with asyncio.TaskGroup() as tg:
            tg.create_task(worker("child", 100))
            out("body waits")
    t = asyncio.create_task(body())
    await asyncio.sleep(0.01)
    t.cancel()
    await settle()
    out("task", outcome(t), "cancelling", t.cancelling())


@case
async def taskgroup_outside_cancel_with_a_child_failure():
    async def child():
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            out("child fails while cancelled")
            raise ValueError("late")

    async def body():
        me = asyncio.current_task()
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(child())
        except* ValueError as eg:
            out("body got", fmt(eg), "cancelling", me.cancelling())
        try:
            await asyncio.sleep(0)
            out("not cancelled")
        except asyncio.CancelledError:
            out("the outside cancel is still pending")
            raise
    t = asyncio.create_task(body())
    await asyncio.sleep(0.01)
    t.cancel()
    await asyncio.sleep(0.01)
    out("task", outcome(t))


@case
async def taskgroup_child_fails_during_exit():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(worker("bad", 20, fail="late"))
            other = tg.create_task(worker("other", 50))
            out("body done, cancelling", me.cancelling())
    except* ValueError as eg:
        out("raised", fmt(eg), "other", outcome(other), "cancelling", me.cancelling(), "at", ms())


@case
async def taskgroup_parent_cancelling_seen_by_the_body():
    async def bad():
        await asyncio.sleep(0.01)
        raise ValueError("x")
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(bad())
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                out("in body: cancelling", me.cancelling())
                await asyncio.sleep(0)
                out("still in body")
                raise
    except* ValueError:
        out("after: cancelling", me.cancelling())
    await asyncio.sleep(0)
    out("parent goes on")


@case
async def taskgroup_create_task_while_shutting_down():
    async def bad():
        raise ValueError("x")
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(bad())
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                try:
                    tg.create_task(worker("late", 1))
                except RuntimeError as e:
                    out("create_task refused:", type(e).__name__)
                raise
    except* ValueError as eg:
        out("raised", fmt(eg))


@case
async def taskgroup_under_a_timeout():
    try:
        async with asyncio.timeout(0.01):
            async with asyncio.TaskGroup() as tg:
                t = tg.create_task(worker("child", 100))
                await asyncio.sleep(1)
    except TimeoutError as e:
        out("raised", fmt(e), "child", outcome(t), "at", ms())


@case
async def taskgroup_nested_failure():
    try:
        async with asyncio.TaskGroup() as outer:
            sibling = outer.create_task(worker("sibling", 50))
            async with asyncio.TaskGroup() as inner:
                inner.create_task(worker("bad", 10, fail="inner"))
                inner.create_task(worker("peer", 30))
    except* ValueError as eg:
        out("raised", fmt(eg), "sibling", outcome(sibling))


# ---------------------------------------------------------------- shield

@case
async def shield_protects_the_inner_task():
    inner = asyncio.create_task(worker("inner", 20, 9))

    async def outer():
        return await asyncio.shield(inner)
    o = asyncio.create_task(outer())
    await asyncio.sleep(0.01)
    o.cancel()
    await asyncio.sleep(0)
    out("outer", outcome(o), "inner done", inner.done())
    out("inner", await inner, "at", ms())


@case
async def shield_follows_a_cancelled_inner():
    inner = asyncio.create_task(worker("inner", 20))
    s = asyncio.shield(inner)
    await asyncio.sleep(0.01)
    inner.cancel()
    try:
        await s
    except asyncio.CancelledError as e:
        out("shield raised", fmt(e), "cancelled", s.cancelled())


@case
async def shield_of_a_done_future_is_the_future():
    f = asyncio.get_running_loop().create_future()
    f.set_result(1)
    out("same", asyncio.shield(f) is f)


# ---------------------------------------------------------------- cancellation

@case
async def cancel_requests_are_counted():
    async def body():
        me = asyncio.current_task()
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError as e:
            out("caught", fmt(e), "cancelling", me.cancelling())
            out("uncancel ->", me.uncancel())
        await asyncio.sleep(0.01)
        out("goes on, cancelling", me.cancelling())
        return 5
    t = asyncio.create_task(body())
    await asyncio.sleep(0)
    out("cancel", t.cancel("one"), t.cancel("two"), "cancelling", t.cancelling())
    out("task", outcome(t) if t.done() else "pending")
    await asyncio.sleep(0.02)
    out("task", outcome(t), "cancelling", t.cancelling())


@case
async def cancel_before_the_first_step():
    t = asyncio.create_task(worker("never", 10))
    out("cancel", t.cancel("early"))
    await asyncio.sleep(0)
    out("task", outcome(t))
    try:
        t.result()
    except asyncio.CancelledError as e:
        out("result raised", fmt(e))


@case
async def cancel_while_running_then_return():
    async def body():
        asyncio.current_task().cancel("self")
        out("still running")
        return 1
    t = asyncio.create_task(body())
    await asyncio.sleep(0)
    out("task", outcome(t))


@case
async def swallowed_cancel_returns_normally():
    async def body():
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            pass
        return 7
    t = asyncio.create_task(body())
    await asyncio.sleep(0)
    t.cancel()
    await settle()
    out("task", outcome(t), "cancelling", t.cancelling())
    out("cancel done task", t.cancel())


@case
async def awaiting_a_cancelled_future_cancels_the_task():
    loop = asyncio.get_running_loop()
    f = loop.create_future()

    async def body():
        await f
    t = asyncio.create_task(body())
    await asyncio.sleep(0)
    f.cancel("gone")
    await settle()
    out("task", outcome(t))
    try:
        t.result()
    except asyncio.CancelledError as e:
        out("result raised", fmt(e))


# ---------------------------------------------------------------- ordering

@case
async def sleep0_interleaves_tasks_in_creation_order():
    async def w(name):
        for i in range(3):
            out(name, i)
            await asyncio.sleep(0)
    await asyncio.gather(w("a"), w("b"), w("c"))


@case
async def call_soon_and_task_steps_share_the_ready_queue():
    loop = asyncio.get_running_loop()

    async def t(name):
        out(name, "step 1")
        await asyncio.sleep(0)
        out(name, "step 2")
    loop.call_soon(out, "callback 1")
    task = asyncio.create_task(t("task"))
    loop.call_soon(out, "callback 2")
    await asyncio.sleep(0)
    out("main after sleep(0)")
    await task


@case
async def done_callbacks_run_later_in_order():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    f.add_done_callback(lambda _: out("cb 1"))
    f.add_done_callback(lambda _: out("cb 2"))
    f.set_result(1)
    out("after set_result")
    f.add_done_callback(lambda _: out("cb 3 (added when done)"))
    await asyncio.sleep(0)
    out("after sleep(0)")


# ---------------------------------------------------------------- locks

@case
async def lock_is_fifo():
    lock = asyncio.Lock()

    async def w(name):
        async with lock:
            out(name, "has the lock")
            await asyncio.sleep(0.01)
    await asyncio.gather(w("a"), w("b"), w("c"))


@case
async def lock_waiter_cancelled_passes_the_turn():
    lock = asyncio.Lock()
    await lock.acquire()

    async def w(name):
        async with lock:
            out(name, "has the lock")
    a = asyncio.create_task(w("a"))
    b = asyncio.create_task(w("b"))
    await asyncio.sleep(0)
    a.cancel()
    lock.release()
    await settle()
    out("a", outcome(a), "b", outcome(b), "locked", lock.locked())


@case
async def semaphore_order():
    sem = asyncio.Semaphore(2)

    async def w(name, d):
        async with sem:
            out(name, "in at", ms())
            await asyncio.sleep(d / 1000)
    await asyncio.gather(w("a", 10), w("b", 30), w("c", 10), w("d", 10), w("e", 10))


@case
async def bounded_semaphore_over_release():
    sem = asyncio.BoundedSemaphore(1)
    try:
        sem.release()
    except ValueError:
        out("over-release refused")


@case
async def event_wakes_every_waiter():
    ev = asyncio.Event()

    async def w(name):
        out(name, "waits")
        await ev.wait()
        out(name, "woken")
    ts = [asyncio.create_task(w(n)) for n in ("a", "b")]
    await asyncio.sleep(0)
    ev.set()
    ev.clear()
    out("set then cleared", ev.is_set())
    await asyncio.gather(*ts)


@case
async def condition_notify_order():
    cond = asyncio.Condition()

    async def w(name):
        async with cond:
            await cond.wait()
            out(name, "notified")
    ts = [asyncio.create_task(w(n)) for n in ("a", "b", "c")]
    await asyncio.sleep(0)
    async with cond:
        cond.notify(1)
    await asyncio.sleep(0)
    async with cond:
        cond.notify_all()
    await asyncio.gather(*ts)


@case
async def condition_wait_for_predicate():
    cond = asyncio.Condition()
    box = []

    async def consumer():
        async with cond:
            r = await cond.wait_for(lambda: len(box) >= 2)
            out("predicate true", r, box)
    t = asyncio.create_task(consumer())
    for i in range(3):
        await asyncio.sleep(0.01)
        async with cond:
            box.append(i)
            cond.notify_all()
    await t


@case
async def barrier_releases_all_parties():
    b = asyncio.Barrier(3)

    async def w(name, d):
        await asyncio.sleep(d / 1000)
        out(name, "arrives")
        i = await b.wait()
        out(name, "passes with index", i)
    await asyncio.gather(w("a", 10), w("b", 20), w("c", 30))
    out("broken", b.broken, "waiting", b.n_waiting)


@case
async def barrier_abort_breaks_waiters():
    b = asyncio.Barrier(2)

    async def w():
        try:
            await b.wait()
        except asyncio.BrokenBarrierError as e:
            out("waiter", type(e).__name__)
    t = asyncio.create_task(w())
    await asyncio.sleep(0)
    await b.abort()
    await t
    out("broken", b.broken)


# ---------------------------------------------------------------- queues

@case
async def queue_put_blocks_when_full():
    q = asyncio.Queue(maxsize=1)

    async def producer():
        for i in range(3):
            await q.put(i)
            out("put", i, "at", ms())
    p = asyncio.create_task(producer())
    for _ in range(3):
        await asyncio.sleep(0.01)
        out("got", await q.get(), "at", ms())
    await p


@case
async def queue_getters_are_served_in_order():
    q = asyncio.Queue()

    async def getter(name):
        out(name, "got", await q.get())
    ts = [asyncio.create_task(getter(n)) for n in ("a", "b", "c")]
    await asyncio.sleep(0)
    for i in range(3):
        q.put_nowait(i)
    await asyncio.gather(*ts)


@case
async def priority_and_lifo_queues():
    pq = asyncio.PriorityQueue()
    for x in (3, 1, 2):
        pq.put_nowait(x)
    lq = asyncio.LifoQueue()
    for x in (1, 2, 3):
        lq.put_nowait(x)
    out("priority", [pq.get_nowait() for _ in range(3)])
    out("lifo", [lq.get_nowait() for _ in range(3)])


@case
async def queue_join_and_task_done():
    q = asyncio.Queue()

    async def worker_():
        while True:
            item = await q.get()
            await asyncio.sleep(0.01)
            out("processed", item)
            q.task_done()
    w = asyncio.create_task(worker_())
    for i in range(3):
        q.put_nowait(i)
    await q.join()
    out("joined at", ms())
    w.cancel()


@case
async def queue_shutdown():
    q = asyncio.Queue()
    q.put_nowait(1)

    async def getter(name):
        try:
            while True:
                out(name, "got", await q.get())
        except asyncio.QueueShutDown:
            out(name, "shut down")
    t = asyncio.create_task(getter("g"))
    await asyncio.sleep(0)
    q.shutdown()
    await t
    try:
        q.put_nowait(2)
    except asyncio.QueueShutDown:
        out("put refused")
    q2 = asyncio.Queue()
    q2.put_nowait(1)
    q2.shutdown(immediate=True)
    out("immediate: empty", q2.empty())


@case
async def queue_shutdown_immediate_releases_everyone():
    q = asyncio.Queue(maxsize=1)
    q.put_nowait(1)

    async def putter():
        try:
            await q.put(2)
        except asyncio.QueueShutDown:
            out("putter shut down")

    async def joiner():
        await q.join()
        out("join released, empty", q.empty())
    p = asyncio.create_task(putter())
    j = asyncio.create_task(joiner())
    await asyncio.sleep(0)
    q.shutdown(immediate=True)
    await asyncio.gather(p, j)
    try:
        await q.get()
    except asyncio.QueueShutDown:
        out("get refused")


@case
async def queue_nowait_errors():
    q = asyncio.Queue(maxsize=1)
    try:
        q.get_nowait()
    except asyncio.QueueEmpty:
        out("QueueEmpty")
    q.put_nowait(1)
    try:
        q.put_nowait(2)
    except asyncio.QueueFull:
        out("QueueFull")


# ---------------------------------------------------------------- as_completed

@case
async def as_completed_in_completion_order():
    fs = [worker("a", 30, 1), worker("b", 10, 2), worker("c", 20, 3)]
    for f in asyncio.as_completed([asyncio.ensure_future(x) for x in fs]):
        out("next", await f, "at", ms())


@case
async def as_completed_timeout():
    fs = [asyncio.create_task(worker("a", 10, 1)), asyncio.create_task(worker("b", 50, 2))]
    try:
        for f in asyncio.as_completed(fs, timeout=0.02):
            out("next", await f, "at", ms())
    except TimeoutError as e:
        out("raised", fmt(e), "at", ms(), "b cancelled", fs[1].cancelled())
    fs[1].cancel()


@case
async def as_completed_async_iteration_yields_the_originals():
    a = asyncio.create_task(worker("a", 20, 1))
    b = asyncio.create_task(worker("b", 10, 2))
    async for f in asyncio.as_completed([a, b]):
        out("original", "a" if f is a else "b" if f is b else "other", f.result())


@case
async def lock_acquire_cancelled_after_being_woken():
    lock = asyncio.Lock()
    await lock.acquire()

    async def w(name):
        await lock.acquire()
        out(name, "acquired")
        lock.release()
    a = asyncio.create_task(w("a"))
    b = asyncio.create_task(w("b"))
    await asyncio.sleep(0)
    lock.release()  # a is woken...
    a.cancel()      # ...and cancelled before it runs: b must get the lock
    await settle()
    out("a", outcome(a), "b", outcome(b), "locked", lock.locked())


@case
async def semaphore_waiter_cancelled_after_being_woken_gives_the_permit_back():
    sem = asyncio.Semaphore(1)
    await sem.acquire()

    async def w(name):
        async with sem:
            out(name, "in")
    a = asyncio.create_task(w("a"))
    b = asyncio.create_task(w("b"))
    await asyncio.sleep(0)
    sem.release()
    a.cancel()
    await settle()
    out("a", outcome(a), "b", outcome(b), "locked", sem.locked())


@case
async def condition_wait_cancelled_reacquires_the_lock():
    cond = asyncio.Condition()

    async def w():
        async with cond:
            try:
                await cond.wait()
            except asyncio.CancelledError:
                out("cancelled, holds the lock", cond.locked())
                raise
    t = asyncio.create_task(w())
    await asyncio.sleep(0)
    t.cancel()
    await settle()
    out("task", outcome(t), "locked", cond.locked())


@case
async def event_already_set_does_not_suspend():
    ev = asyncio.Event()
    ev.set()
    loop = asyncio.get_running_loop()
    loop.call_soon(out, "callback")
    out("wait", await ev.wait())
    await asyncio.sleep(0)


@case
async def queue_getter_cancelled_leaves_the_item():
    q = asyncio.Queue()

    async def getter(name):
        out(name, "got", await q.get())
    a = asyncio.create_task(getter("a"))
    b = asyncio.create_task(getter("b"))
    await asyncio.sleep(0)
    q.put_nowait(1)
    a.cancel()
    await settle()
    out("a", outcome(a), "b", outcome(b), "size", q.qsize())


@case
async def barrier_waiter_cancelled_while_filling():
    b = asyncio.Barrier(2)

    async def w(name):
        out(name, "index", await b.wait())
    a = asyncio.create_task(w("a"))
    await asyncio.sleep(0)
    a.cancel()
    await settle()
    out("a", outcome(a), "waiting", b.n_waiting, "broken", b.broken)
    c = asyncio.create_task(w("c"))
    d = asyncio.create_task(w("d"))
    await asyncio.gather(c, d)


@case
async def wait_returns_cancelled_futures_as_done():
    a = asyncio.create_task(worker("a", 100))
    b = asyncio.create_task(worker("b", 20, 2))
    asyncio.get_running_loop().call_later(0.01, a.cancel)
    done, pending = await asyncio.wait([a, b], return_when=asyncio.FIRST_COMPLETED)
    out("done", ", ".join(outcome(f) for f in done), "pending", len(pending), "at", ms())
    await b


@case
async def nested_gather_cancel():
    inner = asyncio.gather(worker("a", 100), worker("b", 100))
    outer = asyncio.gather(inner, worker("c", 100))
    await asyncio.sleep(0)
    out("cancel outer", outer.cancel())
    try:
        await outer
    except asyncio.CancelledError as e:
        out("outer raised", fmt(e))
    out("inner", "cancelled" if inner.cancelled() else fmt(inner.exception()))


@case
async def timeout_at_a_past_deadline_expires_at_the_first_await():
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout_at(loop.time() - 1):
            out("body runs")
            await asyncio.sleep(0)
            out("not reached")
    except TimeoutError as e:
        out("raised", fmt(e), "at", ms())


@case
async def timeout_none_then_rescheduled():
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(None) as cm:
            out("when", cm.when())
            await asyncio.sleep(0.01)
            cm.reschedule(loop.time() + 0.01)
            await asyncio.sleep(1)
    except TimeoutError as e:
        out("raised", fmt(e), "at", ms())


@case
async def wait_for_a_task_that_fails_in_time():
    try:
        await asyncio.wait_for(asyncio.create_task(worker("a", 10, fail="no")), 1)
    except ValueError as e:
        out("raised", fmt(e), "at", ms())


@case
async def shield_inner_failure_after_the_outer_was_cancelled():
    inner = asyncio.create_task(worker("inner", 20, fail="late"))
    s = asyncio.shield(inner)
    await asyncio.sleep(0.01)
    s.cancel()
    try:
        await inner
    except ValueError as e:
        out("inner raised", fmt(e), "shield cancelled", s.cancelled())


@case
async def negative_sleep_is_sleep_zero():
    loop = asyncio.get_running_loop()
    loop.call_soon(out, "callback")
    await asyncio.sleep(-1)
    out("after sleep(-1) at", ms())


@case
async def timers_run_in_deadline_order():
    loop = asyncio.get_running_loop()
    loop.call_later(0.03, out, "30")
    loop.call_later(0.01, out, "10")
    h = loop.call_later(0.02, out, "20 (cancelled)")
    loop.call_later(0.02, out, "20")
    h.cancel()
    loop.call_later(-1, out, "negative delay")
    await asyncio.sleep(0.05)


@case
async def run_cancels_the_tasks_left_over():
    async def background():
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            out("background cancelled at shutdown")
            raise
    asyncio.create_task(background())
    await asyncio.sleep(0)
    out("main returns")


# ---------------------------------------------------------------- eager tasks

@case(eager=True)
async def eager_task_runs_until_its_first_await():
    async def body():
        out("body starts")
        await asyncio.sleep(0)
        out("body resumes")
        return 1
    t = asyncio.create_task(body())
    out("after create_task, done", t.done())
    out("result", await t)


@case(eager=True)
async def eager_task_that_never_suspends_is_done_at_once():
    loop = asyncio.get_running_loop()
    loop.call_soon(out, "callback")

    async def body():
        out("body runs")
        return 2
    t = asyncio.create_task(body())
    out("done", t.done(), "result", t.result())
    await asyncio.sleep(0)


@case(eager=True)
async def eager_task_sees_itself_as_current():
    me = asyncio.current_task()

    async def body():
        out("current is the new task", asyncio.current_task() is not me)
    t = asyncio.create_task(body())
    out("back in parent, current is parent", asyncio.current_task() is me, t.done())


@case(eager=True)
async def eager_task_that_fails_at_once():
    async def body():
        raise ValueError("early")
    t = asyncio.create_task(body())
    out("task", outcome(t))


@case(eager=True)
async def eager_tasks_in_a_taskgroup():
    async with asyncio.TaskGroup() as tg:
        a = tg.create_task(worker("a", 10, 1))
        out("created a")
        b = tg.create_task(worker("b", 0, 2))
        out("created b")
    out("results", a.result(), b.result())


@case(eager=True)
async def eager_gather_of_tasks_that_finish_at_once():
    async def now(x):
        return x
    g = asyncio.gather(now(1), now(2))
    out("gather done at once", g.done(), g.result())


# ---------------------------------------------------------------- runner

def run_case(name, fn, eager):
    out("==", name)
    try:
        asyncio.run(fn(), loop_factory=eager_loop if eager else VirtualLoop)
    except BaseException as e:  # noqa: B036 - the trace shows anything that escapes
        out("escaped", fmt(e))


def main(argv):
    wanted = set(argv)
    for name, fn, eager in CASES:
        if not wanted or name in wanted:
            run_case(name, fn, eager)


if __name__ == "__main__":
    main(sys.argv[1:])
