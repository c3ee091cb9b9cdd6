"""PF104: blocking sleeps in workflow code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from portaflow.lint.engine.scopes import External, Resolved
from portaflow.lint.rules._fixes import context_fix, unwrap_call
from portaflow.lint.rules.base import Invalid, Report, Rule, call_args, short, without_keyword

if TYPE_CHECKING:
    from portaflow.lint.engine.analyze import Checker

_SLEEPS = {
    "time.sleep": "secs",
    "asyncio.sleep": "delay",
    "trio.sleep": "seconds",
    "anyio.sleep": "delay",
    "gevent.sleep": "seconds",
}


class Sleep(Rule):
    code = "PF104"
    name = "blocking-sleep"
    summary = "Sleeps in process: `time.sleep`, `asyncio.sleep` (and `trio`, `anyio`, `gevent` sleeps)."
    why = (
        "An in-process sleep is not recorded: a crash or a deploy during it loses the wait, a replay "
        "sleeps again "
        "from the start, and the worker is held the whole time (cloud engines bill or time out for it). "
        "`ctx.sleep()` is a durable timer: it survives restarts, fires once, and costs nothing while "
        "it waits."
    )
    replacement = (
        'use `ctx.sleep(duration)` (a durable timer: "30s", "5m", a number of seconds or a timedelta)'
    )
    fix_description = (
        "`time.sleep(x)` and `await asyncio.sleep(x)` become `ctx.sleep(x)` where the Context is in scope."
    )
    USE_INSTEAD = """\
from portaflow import workflow

@workflow
def follow_up(ctx, ticket: dict) -> None:
    ctx.sleep("1h")
"""
    VALID = (
        """\
from datetime import timedelta
from portaflow import workflow

@workflow
def wf(ctx):
    ctx.sleep(timedelta(minutes=5))
    ctx.sleep(30)
""",
        """\
import time
from portaflow import step, workflow

@step(timeout="1m")
def poll() -> bool:
    time.sleep(2)
    return True

@workflow
def wf(ctx):
    return poll()
""",
    )
    INVALID = (
        Invalid(
            """\
import time
from portaflow import workflow

@workflow
def follow_up(ctx, ticket: dict) -> None:
    time.sleep(3600)
""",
            (6,),
            fixed="""\
from portaflow import workflow

@workflow
def follow_up(ctx, ticket: dict) -> None:
    ctx.sleep(3600)
""",
        ),
        Invalid(
            """\
import asyncio
from time import sleep
from portaflow import Context, workflow

async def pause(ctx: Context, seconds):
    await asyncio.sleep(seconds)

@workflow
def wf(ctx):
    sleep(secs=1.5)
    pause(ctx, 2)
""",
            (6, 10),
            fixed="""\
from portaflow import Context, workflow

async def pause(ctx: Context, seconds):
    ctx.sleep(seconds)

@workflow
def wf(ctx):
    ctx.sleep(1.5)
    pause(ctx, 2)
""",
        ),
    )

    def check_call(self, call: cst.Call, callee: Resolved, checker: Checker) -> Sequence[Report]:
        if not isinstance(callee, External) or callee.qname not in _SLEEPS:
            return ()
        qname = callee.qname
        message = (
            f"`{short(qname)}()` blocks the worker and is not recorded; a replay or a restart sleeps again"
        )
        positional, keywords = call_args(call)
        keyword = _SLEEPS[qname]
        duration = positional[0] if positional else keywords.get(keyword)
        if duration is None or len(call.args) != 1 or duration.star:
            return (Report(call, message, None, "rewrite it as `ctx.sleep(duration)`"),)
        parent = checker.parent()
        target: cst.CSTNode = parent if isinstance(parent, cst.Await) and parent.expression is call else call
        fix, reason = context_fix(checker, target, callee, _to_ctx_sleep, "{ctx}.sleep(...)")
        return (Report(call, message, fix, reason),)


def _to_ctx_sleep(context: str, updated: cst.CSTNode) -> cst.BaseExpression:
    call = unwrap_call(updated)
    return call.with_changes(
        func=cst.parse_expression(f"{context}.sleep"), args=[without_keyword(call.args[0])]
    )
