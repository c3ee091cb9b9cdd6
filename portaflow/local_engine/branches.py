"""How the local engine runs the items of a ``ctx.map`` and the branches of a ``ctx.parallel``: each on a
thread of its own (at most ``max_concurrency`` at once), every one attempted, results in order, the
lowest-index failure raised once all finished; and the order of positions that decides which of several
open waits for one event name takes it (docs/semantics.md, "map and parallel")."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from portaflow.dsl.runtime import set_scope

if TYPE_CHECKING:
    from portaflow.dsl.fanout import Tolerance
    from portaflow.local_engine.executor import Executor
    from portaflow.local_engine.scope import RunScope


def position_order(key: str) -> tuple[tuple[int, int], ...]:
    """A position's sort key: component by component, numbers as numbers; a context call's ``pK`` after
    the numbered calls of its scope. Two waits open at once part at a fan-out's item (branch) index."""
    return tuple(_component(c) for c in key.split("."))


def _component(c: str) -> tuple[int, int]:
    if c.isdigit():
        return (0, int(c))
    if c.startswith("p") and c[1:].isdigit():
        return (1, int(c[1:]))
    return (2, 0)  # a named wait of a call (a child run's ``n.result``): after the numbered ones


def run_branches(
    ex: Executor,
    calls: list[Callable[[], Any]],
    max_concurrency: int | None,
    scopes: list[RunScope],
    policy: Tolerance,
    noun: str,
) -> list[Any]:
    """Run every call (all are attempted); results in order; failures as ``policy`` settles them (by
    default the lowest-index failure is raised).

    At most ``max_concurrency`` run at once, on threads of their own, each taking the next item when
    it is done with one (a waiting item keeps its place, as a Step Functions Map iteration does). The
    thread that called waits; it does not count as live, so the run parks once every branch thread
    is parked (or done), and runs again when the last branch thread is done.
    """
    n = len(calls)
    results: list[Any] = [None] * n
    errors: dict[int, BaseException] = {}

    def one(i: int) -> None:
        previous = set_scope(scopes[i])
        try:
            results[i] = calls[i]()
        except BaseException as exc:  # collected; re-raised in order below
            errors[i] = exc
            if isinstance(exc, ex.STOPPING):
                ex.abort_branches(getattr(exc, "reason", "stalled"))
        finally:
            set_scope(previous)

    workers = min(n, max_concurrency or n, 64)
    if workers <= 1:
        for i in range(n):
            if not ex.aborting:
                one(i)
    else:
        queue = iter(range(n))
        lock = threading.Lock()
        left = [workers]

        def worker() -> None:
            try:
                while True:
                    with lock:
                        i = None if ex.aborting else next(queue, None)
                    if i is None:
                        break
                    one(i)
            finally:
                with lock:
                    left[0] -= 1
                    last = left[0] == 0
                ex.branch_thread_done(last)

        ex.hand_over(workers)
        threads = [
            threading.Thread(target=worker, name=f"portaflow-{ex.run_id}-{w}", daemon=True)
            for w in range(workers)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for exc in errors.values():
        if isinstance(exc, ex.STOPPING):
            raise exc
    return policy.settle(results, errors, noun)
