"""``ctx.wait_for_event`` with a timeout computed at run time (``WaitForEvent.timeout``, IR 7), on AWS.

The callback Task's ``TimeoutSeconds`` is a JSONata expression: the value read as the local engine's
``parse_duration`` reads it, rounded up to whole seconds (at least 1: Step Functions counts a Task's timeout
in whole seconds, as a computed ``ctx.sleep``), None waiting as long as an execution may live (Step
Functions' largest timeout, 99999999 s, is past a standard execution's one year). A Choice before the Task
raises the local engine's errors: a value that is no duration its ``ValueError`` (with its message), None
with ``raise_on_timeout=True`` its ``WorkflowError``. The ``EventTimeout`` of ``raise_on_timeout`` carries
``format_duration`` of the value the workflow gave (``pf_fmtdur``), as locally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portaflow.compiler import ir

from . import formats, timedeltas  # noqa: F401 - formats: pf_g6 uses its pf_fixed (added to HELPERS)
from .jsonata import HELPERS, jstr

if TYPE_CHECKING:
    from .asl import AslCompiler, Ctx
    from .jsonata import Lowerer

LONGEST_TIMEOUT = 99999999  # Step Functions' largest TimeoutSeconds
WORKFLOW_ERROR_MRO = '["WorkflowError", "PortaflowError", "Exception", "BaseException"]'
VALUE_ERROR_MRO = '["ValueError", "Exception", "BaseException"]'
EVENT_TIMEOUT_MRO = '["EventTimeout", "TimeoutError", "OSError", "Exception", "BaseException"]'
WHAT = "ctx.wait_for_event timeout"
NEEDS_TIMEOUT = "ctx.wait_for_event raise_on_timeout=True needs a timeout"

HELPERS.update(
    {
        # parse_duration's ValueError message for a wait's timeout (null: a duration, or None)
        "pf_wait_error": (
            "function($v){$v = null ? null : ($e := $pf_sleep_error($v); $e = null ? null : "
            '"ctx.wait_for_event timeout" & $substring($e, 18))}',
            ("pf_sleep_error",),
        ),
        # floor($x / $n) as Python's float // (the quotient rounded up to a whole number is corrected)
        "pf_fdiv": ("function($x, $n){($q := $floor($x / $n); $q * $n > $x ? $q - 1 : $q)}", ()),
        # f"{$r:g}" of 1e-15 < $r < 100 (format_duration's seconds): six significant digits, trailing zeros
        # dropped; $e the decimal exponent (the thresholds are the literals' doubles, and rounding to six
        # digits makes a value next to one give the text either side would); below 1e-4 the exponent form,
        # its mantissa $r * 10^k
        "pf_g6": (
            "function($r){($e := $count($filter([10, 1, 0.1, 0.01, 0.001, 0.0001, 0.00001, 0.000001, 1e-7, "
            "1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15], function($t){$t <= $r})) - 16; "
            '$strip := function($t){$contains($t, ".") ? '
            '$replace($replace($t, /0+$/, ""), /\\.$/, "") : $t}; '
            "$e >= -4 ? $strip($pf_fixed($r, 5 - $e)) : "
            "($m := $strip($pf_fixed($r * $power(10, -$e), 5)); "
            '$m = "10" ? ($e = -5 ? "0.0001" : "1e-" & $pad($string(-$e - 1), -2, "0")) : '
            '$m & "e-" & $pad($string(-$e), -2, "0")))}',
            ("pf_fixed",),
        ),
        # portaflow.dsl.durations.format_duration: '250ms', '2s', '1m30s', '3d'
        "pf_fmtdur": (
            'function($x){$x < 1 ? $string($round($x * 1000)) & "ms" : '
            "($d := $x >= 86400 ? $pf_fdiv($x, 86400) : 0; $a := $x - $d * 86400; "
            "$h := $a >= 3600 ? $pf_fdiv($a, 3600) : 0; $b := $a - $h * 3600; "
            "$m := $b >= 60 ? $pf_fdiv($b, 60) : 0; $r := $b - $m * 60; "
            '$u := ($d > 0 ? $string($d) & "d" : "") & ($h > 0 ? $string($h) & "h" : "") & '
            '($m > 0 ? $string($m) & "m" : ""); '
            '$u & ($r != 0 or $u = "" ? ($r != $floor($r) ? $pf_g6($r) : $string($r)) & "s" : ""))}',
            ("pf_fdiv", "pf_g6"),
        ),
    }
)


def timeout_seconds(low: Lowerer, s: ir.WaitForEvent) -> str:
    """The Task's ``TimeoutSeconds`` for the computed timeout (the check before the Task passed)."""
    assert s.timeout is not None
    v = low.lower(s.timeout)
    duration = "$v / 1000000" if s.timeout.ty == "timedelta" else f"{low.h('pf_duration')}($v)"
    body = (
        f"($v := {v}; $v = null ? {LONGEST_TIMEOUT} : ($s := $ceil({duration}); "
        f"$s < 1 ? 1 : $s > {LONGEST_TIMEOUT} ? {LONGEST_TIMEOUT} : $s))"
    )
    return "{% " + low.finish(body) + " %}"


def timeout_error(low: Lowerer, s: ir.WaitForEvent, name_repr: str | None = None) -> str:
    """The $pf_err of ``raise_on_timeout``'s EventTimeout: ``format_duration`` of the value given.
    ``name_repr``: the JSONata of a run-time name's repr (a literal's is written out)."""
    assert s.timeout is not None
    if name_repr is None:
        text = f"{jstr(f'event {s.event!r} did not arrive within ')} & "
    else:
        text = f'"event " & {name_repr} & {jstr(" did not arrive within ")} & '
    if s.timeout.ty == "timedelta":
        text += f"{low.h('pf_fmtdur')}({timedeltas.seconds(low, s.timeout)})"
    else:
        text += f"{low.h('pf_fmtdur')}({low.h('pf_duration')}({low.lower(s.timeout)}))"
    fields = f'"type": "EventTimeout", "message": {text}, "mro": {EVENT_TIMEOUT_MRO}'
    body = f'{{{fields}, "step": null, "attempts": null}}'
    return "{% " + low.finish(body) + " %}"


def timeout_check(c: AslCompiler, s: ir.WaitForEvent, task: str, ctx: Ctx) -> str:
    """A Choice before the Task: the local engine's ValueError (or WorkflowError) where a raise goes."""
    assert s.timeout is not None
    check = c.name("Check wait timeout", s.loc)
    bad = c.name("Bad wait timeout", s.loc)
    low = c.low(ctx)
    v = low.lower(s.timeout)
    problem = f"{low.h('pf_wait_error')}({v})"
    if s.timeout.ty == "timedelta":  # never None; negative: parse_duration's ValueError with its repr
        problem = f"($v := {v}; $v < 0 ? {timedeltas.negative_message(low, s.timeout, WHAT)} : null)"
    elif s.timeout_error is not None:
        problem = f"($v := {v}; $v = null ? {jstr(NEEDS_TIMEOUT)} : {low.h('pf_wait_error')}($v))"
    cond = "{% " + low.finish(f'$type({problem}) = "string"') + " %}"
    c.pure_choice(check, ctx, s.loc, cond, bad, task, ir.may_raise(s.timeout))
    low = c.low(ctx)
    v = low.lower(s.timeout)
    kind = f'"ValueError", "mro": {VALUE_ERROR_MRO}'
    if s.timeout.ty == "timedelta":
        message = timedeltas.negative_message(low, s.timeout, WHAT)
    elif s.timeout_error is not None:
        kind = '$v = null ? "WorkflowError" : "ValueError", '
        kind += f'"mro": $v = null ? {WORKFLOW_ERROR_MRO} : {VALUE_ERROR_MRO}'
        message = f"$v = null ? {jstr(NEEDS_TIMEOUT)} : {low.h('pf_wait_error')}($v)"
    else:
        message = f"{low.h('pf_wait_error')}($v)"
    err = f'($v := {v}; {{"type": {kind}, "message": {message}, "step": null, "attempts": null}})'
    state: dict[str, Any] = {
        "Type": "Pass",
        "Assign": {"pf_err": "{% " + low.finish(err) + " %}"},
        "Next": c.raise_dynamic(ctx, s.loc),
    }
    c.states[bad] = state
    return check
