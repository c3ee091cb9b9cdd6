"""PFC075: what a target refuses of partial failure (docs/semantics.md, "Partial failure").

A fan-out with ``return_exceptions=True`` or a tolerance (``tolerated_failures`` /
``tolerated_failure_percentage``) puts each failed item's exception in its place: a Python object, not a
JSON value. Azure (Python) and Cloudflare (whose runtime's values include a PyError, with Python's str,
repr, equality and TypeErrors) hold it; a target whose values are JSON (Step Functions) refuses, at
compile time, every construct that would need an exception among the workflow's values: the outcomes
kept in a variable, ``isinstance(x, SomeError)`` (``ir.IsError``; of a caught error it is lowered) and
``x.type`` of a variable that ``except`` did not bind. A tolerance whose outcomes are not kept (a
fan-out written as a statement) needs no exception value: AWS lowers it, the count and the
:class:`~portaflow.dsl.errors.TooManyFailures` exactly.
"""

from __future__ import annotations

from portaflow.compiler import ir
from portaflow.compiler.diagnostics import Diagnostic
from portaflow.dsl.fanout import Tolerance

FanOut = ir.MapCall | ir.ParallelCall


def policy(s: FanOut) -> Tolerance:
    """The fan-out's failure policy: the rule (``portaflow.dsl.fanout``) every target reproduces."""
    return Tolerance(s.return_exceptions, s.tolerated_failures, s.tolerated_failure_percentage)


def uses_failures(s: FanOut) -> bool:
    """Whether the fan-out departs from the default (the lowest-index failure raised)."""
    return policy(s).collects


def noun(s: FanOut) -> str:
    """What the TooManyFailures message counts: ``item`` (ctx.map) or ``branch`` (ctx.parallel)."""
    return "item" if isinstance(s, ir.MapCall) else "branch"


def plural(s: FanOut) -> str:
    return "items" if isinstance(s, ir.MapCall) else "branches"


def refusals(program: ir.Program, target: str) -> list[Diagnostic]:
    """PFC075 for each construct of partial failure ``target`` cannot give Python's result for: all but a
    tolerated fan-out whose outcomes are not kept (a statement), which the target lowers."""
    out: list[Diagnostic] = []
    for wf in program.workflows.values():
        path = wf.source or program.source
        for stmt in ir.walk_stmts(wf.body):
            why = _why(stmt, target)
            if why is not None:
                out.append(Diagnostic("PFC075", why[0], path, stmt.loc.line, stmt.loc.col, why[1]))
    return out


def _why(stmt: ir.Stmt, target: str) -> tuple[str, str] | None:
    if isinstance(stmt, FanOut) and uses_failures(stmt) and stmt.target is not None:
        return (
            f"a fan-out's exception items cannot be values on {target}: a failed item's StepFailed is a "
            "Python object, and this target's values are not",
            "write a tolerated fan-out as a statement (its outcomes not kept), or keep the default (the "
            "first failure raised) and catch it with try/except, or run the workflow on the local engine "
            "or Azure",
        )
    for node in ir.own_nodes(stmt):
        if isinstance(node, ir.IsError) and not (
            isinstance(node.value, ir.Name) and node.value.ty == "error"
        ):
            return (
                f"isinstance() of an exception class is not supported on {target}: only a fan-out's "
                "exception items make one a value there",
                "catch the failure with try/except SomeError",
            )
        if isinstance(node, ir.ErrorField) and node.any_value:
            return (
                f"`{node.name}.{node.field}` of a value that `except` did not bind is not supported on "
                f"{target}",
                f"read e.{node.field} in an `except ... as e:` clause; a dict's key is "
                f'{node.name}["{node.field}"]',
            )
    return None
