"""Where a ``ctx.now()`` datetime may go on Step Functions (a timedelta nowhere: PFC040).

There the time is ``$now()``'s ISO-8601 string, so a use whose Python result depends on the value being a
datetime either gets Python's result from the lowering - ``.timestamp()``, ``.isoformat()``, ``str()`` and
plain f-string fields, comparisons of two datetimes (the fixed-width ISO text orders as the instants do), a
copy into a variable that only ever holds datetimes - or is refused here (PFC040) before it could differ
silently: returned, passed to a step, put in a list, added to, tested for truth, ``repr``'d...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from portaflow.compiler import ir
from portaflow.compiler.diagnostics import Diagnostic

from . import strftime, timedeltas

_ORDERING = frozenset({"==", "!=", "<", "<=", ">", ">="})
_INSTEAD = "use t.isoformat() for its text or t.timestamp() for seconds since the epoch (a float)"
_TIMEDELTA_INSTEAD = (
    "keep a timedelta to arithmetic with timedeltas and ints, comparisons of two, str(td), td.days, "
    "td.seconds, td.microseconds; pass td.total_seconds() (a float) to a step, a sleep or a wait"
)
_ARITHMETIC_INSTEAD = (
    "work in seconds: u.timestamp() - t.timestamp() is the age, t.timestamp() + 4 * 3600 a later time; "
    "or do the date arithmetic in a @step"
)


def datetime_refusals(program: ir.Program) -> list[Diagnostic]:
    """PFC040 for every use of a datetime value that the lowering does not give Python's result for."""
    out: list[Diagnostic] = []
    for wf in program.workflows.values():
        source = wf.source or program.source
        mixed = _mixed_variables(wf.body)
        whole = timedeltas.whole_variables(wf.body)
        for stmt in ir.walk_stmts(wf.body):
            unlowered = _unlowered(stmt)
            children = [(None, None)] if unlowered else _datetime_children(stmt)
            for parent, child in children:
                why = unlowered or _refusal(parent, child, mixed, whole)
                if why is not None:
                    duration = getattr(child, "ty", None) == "timedelta" and not unlowered
                    out.append(
                        Diagnostic(
                            "PFC040",
                            f"{why}: on Step Functions "
                            + (
                                "a timedelta is its microseconds, a number"
                                if duration
                                else "ctx.now() is an ISO-8601 string"
                            )
                            + ", so this would not give Python's result",
                            source,
                            stmt.loc.line,
                            stmt.loc.col,
                            _TIMEDELTA_INSTEAD
                            if duration
                            else _ARITHMETIC_INSTEAD
                            if unlowered
                            else _INSTEAD,
                        )
                    )
                    break  # one line per statement
    return out


# the datetime rows Step Functions has a lowering for; the others (t.year...) and every timedelta are refused
LOWERED = frozenset({"datetime.timestamp", "datetime.isoformat", "datetime.strftime"} | strftime.FIELDS)


def has_unlowered(program: ir.Program) -> bool:
    """Whether a statement holds what no lowering exists for (the backend then lowers nothing)."""
    return any(_unlowered(s) for wf in program.workflows.values() for s in ir.walk_stmts(wf.body))


def _unlowered(stmt: ir.Stmt) -> str | None:
    """Why a statement the ISO string has nothing for is refused: a datetime field (t.year)."""
    for node in ir.own_nodes(stmt):
        if isinstance(node, ir.Call) and node.func.startswith("datetime.") and node.func not in LOWERED:
            return f"t.{node.func.removeprefix('datetime.')} of a datetime"
    return None


def _mixed_variables(body: tuple[ir.Stmt, ...]) -> dict[str, set[str]]:
    """The types each variable is read as: a datetime (or timedelta) stored in a variable also read as
    something else would flow on untracked."""
    out: dict[str, set[str]] = {}
    for stmt in ir.walk_stmts(body):
        for node in ir.own_nodes(stmt):
            if isinstance(node, ir.Name):
                out.setdefault(node.id, set()).add(node.ty)
    return out


def _datetime_children(stmt: ir.Stmt) -> Iterator[tuple[Any, Any]]:
    """(parent, child) for every datetime-typed expression among ``stmt``'s own nodes; a ``now`` primitive's
    target counts as its child (the variable it fills)."""
    for node in ir.own_nodes(stmt):
        if isinstance(node, ir.Primitive) and node.op == "now":
            yield node, node.target
            continue
        for name in getattr(node, "__dataclass_fields__", ()):
            for child in _flat(getattr(node, name)):
                if getattr(child, "ty", None) in ("datetime", "timedelta"):
                    yield node, child


def _flat(value: Any) -> Iterator[Any]:
    """A field's nodes: step arguments and keywords are tuples of (name, expression) pairs."""
    if isinstance(value, tuple):
        for item in value:
            yield from _flat(item)
    else:
        yield value


def _refusal(parent: Any, child: Any, mixed: dict[str, set[str]], whole: set[str]) -> str | None:
    """Why ``child`` (a datetime or timedelta) cannot be used as ``parent`` uses it; None where the
    lowering is exact."""
    ty = getattr(child, "ty", "datetime")
    if ty == "timedelta":
        why = _timedelta_refusal(parent, child, whole)
        if why != "":
            return why
    if isinstance(parent, ir.BinOp):
        return timedeltas.binop_refusal(parent, whole)
    if isinstance(parent, (ir.Primitive, ir.Assign)):
        target = parent.target
        if isinstance(parent, ir.Assign) and child is not parent.value:
            return "a datetime used this way"
        if target is None or (isinstance(target, ir.NameTarget) and mixed.get(target.id, set()) <= {ty}):
            return None
        if isinstance(target, ir.NameTarget):
            return f"'{ir.shown_name(target.id)}' holds a {ty} and other values"
        return f"a {ty} unpacked or stored in a container"
    if isinstance(parent, ir.Call):
        if parent.func.startswith(f"{ty}.") and child is parent.args[0]:
            return None
        if parent.func == "str" and len(parent.args) == 1:
            return None
        return f"a {ty} passed to {parent.func.removeprefix('any.')}()"
    if isinstance(parent, ir.FormattedValue):
        if parent.conversion in ("", "s") and not parent.spec:
            return None
        return f"a {ty} formatted with !r or a format spec"
    if isinstance(parent, ir.Compare):
        operands = (parent.left, *parent.comparators)
        if all(op in _ORDERING for op in parent.ops) and all(o.ty == ty for o in operands):
            return None
        return f"a {ty} compared with something that is not a {ty}, or with in/is"
    return _DESCRIPTIONS.get(type(parent), "a datetime used this way").replace("a datetime", f"a {ty}")


def _timedelta_refusal(parent: Any, child: Any, whole: set[str]) -> str | None:
    """The uses only a timedelta has (its truth, -td, abs(td)): None where exact, a reason where not, ""
    for the uses a datetime shares (the caller's rules)."""
    if isinstance(parent, (ir.If, ir.While)) or (isinstance(parent, ir.IfExp) and child is parent.test):
        return None  # timedelta(0) is false: 0 microseconds
    if (isinstance(parent, ir.IfExp) and parent.ty == "timedelta") or (
        isinstance(parent, ir.UnaryOp) and parent.op in ("-", "+", "not")
    ):
        return None
    if isinstance(parent, ir.Call) and parent.func in ("abs", "bool"):
        return None
    if isinstance(parent, (ir.Sleep, ir.WaitForEvent)):
        return None  # its total_seconds() (asl.py, waits.py)
    return ""


_DESCRIPTIONS: dict[type, str] = {
    ir.Return: "a datetime returned (locally the run fails: a datetime is not a JSON value)",
    ir.StepCall: "a datetime passed to a step (locally a TypeError: a datetime is not a JSON value)",
    ir.ChildWorkflowCall: "a datetime passed to a child workflow (not a JSON value)",
    ir.StartWorkflow: "a datetime passed to a child run (not a JSON value)",
    ir.ListExpr: "a datetime put in a list",
    ir.DictExpr: "a datetime put in a dict",
    ir.BinOp: "arithmetic on a datetime",
    ir.UnaryOp: "an operator applied to a datetime",
    ir.BoolOp: "a datetime in and/or",
    ir.If: "a datetime tested for truth",
    ir.While: "a datetime tested for truth",
    ir.IfExp: "a datetime in a conditional expression",
    ir.Raise: "a datetime raised",
    ir.SetItem: "a datetime stored in a list or dict",
    ir.For: "a loop over a datetime",
    ir.MapCall: "a datetime passed to ctx.map",
    ir.WaitForEvent: "a datetime used as a wait's argument",
    ir.Sleep: "a datetime used as a sleep's duration",
}
