"""PF107: threads, processes and unmanaged concurrency in workflow code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from portaflow.lint.engine.scopes import External, Resolved
from portaflow.lint.rules.base import Invalid, Report, Rule, short

if TYPE_CHECKING:
    from portaflow.lint.engine.analyze import Checker

_MODULES = ("threading", "_thread", "multiprocessing", "concurrent.futures")
_HARMLESS = frozenset({"current_thread", "get_ident", "get_native_id", "main_thread", "active_count"})
_ASYNC = frozenset(
    {
        "asyncio.create_task",
        "asyncio.gather",
        "asyncio.wait",
        "asyncio.wait_for",
        "asyncio.as_completed",
        "asyncio.ensure_future",
        "asyncio.run",
        "asyncio.to_thread",
        "asyncio.TaskGroup",
        "asyncio.run_coroutine_threadsafe",
        "asyncio.get_event_loop",
        "asyncio.new_event_loop",
        "asyncio.get_running_loop",
        "asyncio.Runner",
        "asyncio.shield",
        "asyncio.timeout",
        "asyncio.timeout_at",
        "anyio.create_task_group",
        "anyio.run",
        "anyio.to_thread.run_sync",
        "trio.open_nursery",
        "trio.run",
        "os.fork",
        "gevent.spawn",
        "gevent.joinall",
        "joblib.Parallel",
    }
)


def _concurrency(qname: str) -> bool:
    if qname in _ASYNC or any(qname.startswith(prefix + "().") for prefix in _ASYNC):
        return True
    for module in _MODULES:
        if qname.startswith(module + ".") or qname.startswith(module + "()"):
            leaf = qname.rsplit(".", 1)[-1].removesuffix("()")
            return leaf not in _HARMLESS and not leaf.endswith(("Error", "Exception"))
    return False


class Concurrency(Rule):
    code = "PF107"
    name = "unmanaged-concurrency"
    summary = (
        "Starts concurrent work the engine does not manage: `threading`, `multiprocessing`, "
        "`concurrent.futures` executors, `asyncio.create_task/gather/wait/run/to_thread`, event "
        "loops, `os.fork`, "
        "`anyio`/`trio` task groups, and methods of executors or pools kept in module-level variables."
    )
    why = (
        "The engine records what a workflow does in order. Work on other threads or processes is not "
        "recorded, "
        "finishes in a different order on each run, and is lost when the worker stops; a replay "
        "cannot reproduce "
        "it. `ctx.map` and `ctx.parallel` run branches as recorded steps, concurrently, with results "
        "in order."
    )
    replacement = (
        "use `ctx.map(step, items, max_concurrency=n)` "
        "or `ctx.parallel(lambda: step_a(x), lambda: step_b(y))`"
    )
    USE_INSTEAD = """\
from portaflow import step, workflow

@step
def fetch(url: str) -> str:
    ...

@workflow
def research(ctx, urls: list) -> list:
    return ctx.map(fetch, urls, max_concurrency=4)
"""
    VALID = (
        """\
from portaflow import step, workflow

@step
def a(x): ...

@step
def b(y): ...

@workflow
def wf(ctx, x, y):
    first, second = ctx.parallel(lambda: a(x), lambda: b(y))
    return first, second
""",
        """\
import threading
from concurrent.futures import ThreadPoolExecutor
from portaflow import step, workflow

@step
def crawl(urls: list) -> list:
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(len, urls))

@workflow
def wf(ctx, urls: list):
    return crawl(urls), threading.current_thread().name
""",
    )
    INVALID = (
        Invalid(
            """\
from concurrent.futures import ThreadPoolExecutor
from portaflow import step, workflow

@step
def fetch(url: str) -> str:
    ...

@workflow
def research(ctx, urls: list) -> list:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(fetch, urls))
""",
            (10,),
        ),
        Invalid(
            """\
import asyncio
import threading
import multiprocessing as mp
from portaflow import workflow

POOL = mp.Pool(2)

@workflow
def wf(ctx, jobs):
    threading.Thread(target=print).start()
    results = POOL.map(str, jobs)
    return asyncio.run(asyncio.gather()), results
""",
            (10, 11, 12, 12),
        ),
    )

    def check_call(self, call: cst.Call, callee: Resolved, checker: Checker) -> Sequence[Report]:
        if not isinstance(callee, External) or not _concurrency(callee.qname):
            return ()
        if "()" in callee.qname and checker.made_by_reported_call(callee):
            return ()
        return (
            Report(
                call,
                f"`{short(callee.qname)}()` starts concurrent work that the engine does not record; a replay "
                "cannot reproduce its order or results",
            ),
        )
