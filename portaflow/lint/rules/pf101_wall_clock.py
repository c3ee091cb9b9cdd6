"""PF101: reading the wall clock in workflow code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import libcst as cst

from portaflow.lint.engine.scopes import External, Resolved
from portaflow.lint.rules._fixes import context_fix, template, unwrap_call
from portaflow.lint.rules.base import Invalid, Report, Rule, arg_or_none, call_args, short, without_keyword

if TYPE_CHECKING:
    from portaflow.lint.engine.analyze import Checker

_NOW = template("{ctx}.now()")
_TIMESTAMP = template("{ctx}.now().timestamp()")
_NANOS = template("int({ctx}.now().timestamp() * 1_000_000_000)")

# qualified name -> (fix template or None, what the fix writes, why there is no fix)
_ALWAYS: dict[str, tuple[Callable[[str, cst.CSTNode], cst.BaseExpression], str]] = {
    "time.time": (_TIMESTAMP, "{ctx}.now().timestamp()"),
    "time.monotonic": (_TIMESTAMP, "{ctx}.now().timestamp()"),
    "time.perf_counter": (_TIMESTAMP, "{ctx}.now().timestamp()"),
    "time.time_ns": (_NANOS, "int({ctx}.now().timestamp() * 1_000_000_000)"),
    "time.monotonic_ns": (_NANOS, "int({ctx}.now().timestamp() * 1_000_000_000)"),
    "time.perf_counter_ns": (_NANOS, "int({ctx}.now().timestamp() * 1_000_000_000)"),
    "datetime.datetime.utcnow": (
        template("{ctx}.now().replace(tzinfo=None)"),
        "{ctx}.now().replace(tzinfo=None)",
    ),
    "datetime.datetime.today": (
        template("{ctx}.now().replace(tzinfo=None)"),
        "{ctx}.now().replace(tzinfo=None)",
    ),
    "datetime.date.today": (template("{ctx}.now().date()"), "{ctx}.now().date()"),
}
_CPU_TIME = frozenset(
    {
        "time.process_time",
        "time.process_time_ns",
        "time.thread_time",
        "time.thread_time_ns",
        "time.clock_gettime",
        "time.clock_gettime_ns",
    }
)
_OTHER_LIBRARIES = frozenset(
    {
        "pendulum.now",
        "pendulum.today",
        "pendulum.tomorrow",
        "pendulum.yesterday",
        "arrow.now",
        "arrow.utcnow",
        "pandas.Timestamp.now",
        "pandas.Timestamp.utcnow",
        "pandas.Timestamp.today",
    }
)
# these read the clock only when no time is passed: argument index, keyword
_WHEN_NO_TIME = {
    "time.localtime": (0, "secs"),
    "time.gmtime": (0, "secs"),
    "time.ctime": (0, "secs"),
    "time.asctime": (0, "t"),
    "time.strftime": (1, "t"),
}
_UTC = frozenset({"datetime.timezone.utc", "datetime.UTC", "pytz.utc", "pytz.UTC", "zoneinfo.ZoneInfo.utc"})


class WallClock(Rule):
    code = "PF101"
    name = "wall-clock-time"
    summary = (
        "Reads the wall clock: `time.time/time_ns/monotonic/perf_counter/process_time` (and their "
        "`_ns` forms), "
        "`datetime.now/utcnow/today`, `date.today`, `time.localtime/gmtime/ctime/strftime` without a time, "
        "and `pendulum`/`arrow`/`pandas` equivalents."
    )
    why = (
        "A workflow is replayed from its history after every suspension and crash. The clock returns "
        "a different "
        "value on each replay, so a branch on it, a deadline computed from it or a value passed to a "
        "step differs "
        "from the first run: the replay asks for other steps than the history recorded and stops with a "
        "NonDeterminismError, or silently takes another path. `ctx.now()` is recorded once and replayed."
    )
    replacement = "use `ctx.now()` (an aware UTC datetime, recorded in the history)"
    fix_description = (
        "`datetime.now()` becomes `ctx.now()` (`.astimezone(tz)` when a zone is given), `utcnow()`/`today()` "
        "become `ctx.now().replace(tzinfo=None)`, `date.today()` becomes `ctx.now().date()`, `time.time()`, "
        "`monotonic()` and `perf_counter()` become `ctx.now().timestamp()`, their `_ns` forms the same in "
        "integer nanoseconds, and `time.gmtime()` becomes `ctx.now().utctimetuple()`. Only where the "
        "workflow's "
        "Context is in scope; CPU clocks and local-time functions are reported without a fix."
    )
    USE_INSTEAD = """\
from portaflow import Context, workflow

@workflow
def reminder(ctx: Context, hours: int) -> str:
    started = ctx.now()
    return started.isoformat()
"""
    VALID = (
        # ctx.now() is the replay-safe clock
        """\
from datetime import timedelta
from portaflow import workflow

@workflow
def wf(ctx):
    deadline = ctx.now() + timedelta(hours=2)
    return deadline.isoformat()
""",
        # time.strftime on a given value, datetime arithmetic and parsing are deterministic
        """\
import time
import datetime as dt
from portaflow import workflow

@workflow
def wf(ctx, stamp: float, text: str):
    label = time.strftime("%Y-%m-%d", time.gmtime(stamp))
    parsed = dt.datetime.fromisoformat(text)
    delta = dt.timedelta(days=1)
    return label, (parsed + delta).isoformat(), time.localtime(stamp)
""",
        # a parameter named like the module shadows it
        """\
from portaflow import workflow

@workflow
def wf(ctx, time):
    return time.time()
""",
        # the clock inside a step is fine: steps run once and their results are recorded
        """\
import time
from portaflow import step, workflow

@step
def measure() -> float:
    return time.time()

@workflow
def wf(ctx):
    return measure()
""",
        # code no workflow reaches is not checked
        """\
import time
from portaflow import workflow

def unused_helper():
    return time.time()

@workflow
def wf(ctx):
    return 1
""",
        # a local variable named datetime is not the module
        """\
from portaflow import workflow

@workflow
def wf(ctx, events: list):
    for datetime in events:
        datetime.now()
""",
    )
    INVALID = (
        Invalid(
            """\
import time
from portaflow import Context, workflow

@workflow
def reminder(ctx: Context, hours: int) -> float:
    started = time.time()
    return started
""",
            (6,),
            fixed="""\
from portaflow import Context, workflow

@workflow
def reminder(ctx: Context, hours: int) -> float:
    started = ctx.now().timestamp()
    return started
""",
        ),
        Invalid(
            """\
from datetime import datetime, timezone
from portaflow import workflow

@workflow
def wf(context):
    a = datetime.now()
    b = datetime.now(timezone.utc)
    c = datetime.utcnow()
    return a, b, c
""",
            (6, 7, 8),
            fixed="""\
from portaflow import workflow

@workflow
def wf(context):
    a = context.now()
    b = context.now()
    c = context.now().replace(tzinfo=None)
    return a, b, c
""",
        ),
        Invalid(
            """\
from time import time as now
from portaflow import workflow

@workflow
def wf(ctx):
    return now()
""",
            (6,),
            fixed="""\
from portaflow import workflow

@workflow
def wf(ctx):
    return ctx.now().timestamp()
""",
        ),
        Invalid(
            """\
import datetime as dt
from portaflow import workflow

@workflow
def wf(ctx):
    return dt.date.today(), dt.datetime.now(tz=dt.timezone(dt.timedelta(hours=2)))
""",
            (6, 6),
            fixed="""\
import datetime as dt
from portaflow import workflow

@workflow
def wf(ctx):
    return ctx.now().date(), ctx.now().astimezone(dt.timezone(dt.timedelta(hours=2)))
""",
        ),
        Invalid(
            """\
import time
from portaflow import workflow

@workflow
def wf(ctx):
    t0 = time.perf_counter_ns()
    cpu = time.process_time()
    return t0, cpu, time.strftime("%H:%M"), time.localtime()
""",
            (6, 7, 8, 8),
        ),
        # a helper in the same module reached from the workflow, without a Context: reported, not fixed
        Invalid(
            """\
import time
from portaflow import workflow

def deadline(hours):
    return time.monotonic() + hours * 3600

@workflow
def wf(ctx, hours: int):
    return deadline(hours)
""",
            (5,),
        ),
        Invalid(
            """\
import pendulum
from portaflow import workflow

@workflow
def wf(ctx):
    return pendulum.now()
""",
            (6,),
        ),
    )

    def check_call(self, call: cst.Call, callee: Resolved, checker: Checker) -> Sequence[Report]:
        if not isinstance(callee, External):
            return ()
        qname = callee.qname
        if not (qname.startswith(("time.", "datetime.", "pendulum.", "arrow.", "pandas."))):
            return ()
        message = (
            f"`{short(qname)}()` reads the wall clock, which returns another value when the workflow replays"
        )
        entry = _ALWAYS.get(qname)
        if entry is not None:
            build, shown = entry
            fix, reason = context_fix(checker, call, callee, build, shown)
            return (Report(call, message, fix, reason),)
        if qname == "datetime.datetime.now":
            zone = arg_or_none(call, 0, "tz")
            if zone is None or checker.qname(zone.value) in _UTC:
                dropped = (checker.resolve(zone.value),) if zone is not None else ()
                fix, reason = context_fix(checker, call, callee, _NOW, "{ctx}.now()", dropped)
            else:
                fix, reason = context_fix(checker, call, callee, _astimezone, "{ctx}.now().astimezone(tz)")
            return (Report(call, message, fix, reason),)
        if qname in _CPU_TIME:
            return (
                Report(
                    call,
                    message,
                    None,
                    "CPU and per-clock timers have no replay-safe equivalent: measure inside a @step",
                ),
            )
        if qname in _OTHER_LIBRARIES:
            return (Report(call, message, None, "use ctx.now() and convert the datetime"),)
        when = _WHEN_NO_TIME.get(qname)
        if when is not None and arg_or_none(call, *when) is None:
            if qname == "time.gmtime":
                fix, reason = context_fix(
                    checker,
                    call,
                    callee,
                    template("{ctx}.now().utctimetuple()"),
                    "{ctx}.now().utctimetuple()",
                )
                return (Report(call, message, fix, reason),)
            return (
                Report(
                    call,
                    f"`{short(qname)}()` without a time reads the wall clock, which returns another "
                    "value when "
                    "the workflow replays",
                    None,
                    "local time depends on the machine: format `ctx.now()` instead",
                ),
            )
        return ()


def _astimezone(context: str, updated: cst.CSTNode) -> cst.BaseExpression:
    call = unwrap_call(updated)
    positional, keywords = call_args(call)
    zone = positional[0] if positional else keywords["tz"]
    base = cst.parse_expression(f"{context}.now().astimezone()")
    assert isinstance(base, cst.Call)
    return base.with_changes(args=[without_keyword(zone)])
