"""``ctx.start_workflow(wf, ...)``: a child workflow started as a run of its own (docs/semantics.md, "Child
runs"), and its handle's two uses: ``handle.run_id`` (the handle's variable holds the child's run id) and
``handle.result()``; ``ctx.start_workflow(wf, ...).result()`` starts and waits in one statement."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from .. import ir
from . import calls
from .common import Unsupported

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

USES = "use a handle only as handle.run_id and handle.result()"


def is_start(lw: WorkflowLowerer, node: cst.BaseExpression) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and isinstance(node.func.value, cst.Name)
        and node.func.value.value == lw.ctx
        and node.func.attr.value == "start_workflow"
    )


def is_result_call(lw: WorkflowLowerer, call: cst.Call) -> bool:
    """``ctx.start_workflow(...).result()`` or ``handle.result()``."""
    f = call.func
    if not isinstance(f, cst.Attribute) or f.attr.value != "result":
        return False
    return is_start(lw, f.value) or (isinstance(f.value, cst.Name) and f.value.value in lw.handles)


def result_call(lw: WorkflowLowerer, call: cst.Call, target: ir.Target | None, loc: ir.Loc) -> list[ir.Stmt]:
    f = call.func
    assert isinstance(f, cst.Attribute)
    if call.args:
        lw.error("PFC080", call, "a child run's result() takes no arguments", "write handle.result()")
    if isinstance(f.value, cst.Call):
        return [start(lw, f.value, target, loc, wait=True)]
    assert isinstance(f.value, cst.Name)
    return [ir.AwaitWorkflow(f.value.value, lw.handles[f.value.value], target, loc)]


def start_workflow(
    lw: WorkflowLowerer, call: cst.Call, op: str, target: ir.Target | None, loc: ir.Loc
) -> list[ir.Stmt]:
    """``handle = ctx.start_workflow(wf, ...)`` (or the call alone: fire-and-forget)."""
    started = start(lw, call, target, loc, wait=False)
    if isinstance(target, ir.NameTarget) and not ir.is_temporary(target.id):
        lw.handles[target.id] = started.workflow
    elif target is not None:
        lw.error(
            "PFC080",
            call,
            "the handle ctx.start_workflow returns must be assigned to a name of its own",
            f"write handle = ctx.start_workflow(...), then {USES}",
        )
    return [started]


def start(
    lw: WorkflowLowerer, call: cst.Call, target: ir.Target | None, loc: ir.Loc, wait: bool
) -> ir.StartWorkflow:
    args = list(call.args)
    first = args[0] if args else None
    callee = calls.callee_of(lw, first.value) if first is not None and first.keyword is None else None
    if callee is None or callee.kind != "workflow" or callee.fn is None:
        lw.error(
            "PFC030",
            first.value if first is not None else call,
            "ctx.start_workflow takes the @workflow function to start first, then its arguments",
            "write child = ctx.start_workflow(other_workflow, arg, ...)",
        )
        raise Unsupported
    if lw.fe.step_key(callee.fn) in lw.stack:
        lw.error(
            "PFC032",
            call,
            f"workflow {callee.fn.function!r} starts itself (its definition would be compiled into its own)",
            "start a different workflow, or loop with while",
        )
        raise Unsupported
    wf_key, child = lw.fe.lower_workflow(callee.fn, lw.stack)
    if child is None:
        raise Unsupported
    rest = args[1:]
    if (
        rest
        and rest[0].keyword is None
        and isinstance(rest[0].value, cst.Name)
        and rest[0].value.value == lw.ctx
    ):
        rest = rest[1:]
    names = tuple(p.name for p in child.params)
    req = tuple(p.name for p in child.params if p.default is None)
    bound = calls.bind_arguments(lw, call.with_changes(args=rest), names, req, f"workflow {child.name!r}")
    return ir.StartWorkflow(wf_key, bound, wait, target, loc)


def handle_attribute(lw: WorkflowLowerer, n: cst.Attribute) -> ir.Expr:
    """``handle.run_id``: the child's run id, which the handle's variable holds."""
    assert isinstance(n.value, cst.Name)
    if n.attr.value == "run_id":
        return ir.Name(n.value.value, "str")
    lw.error("PFC080", n, f"a child run's handle has no attribute {n.attr.value!r} here", USES)
    raise Unsupported


def handle_as_value(lw: WorkflowLowerer, n: cst.Name) -> ir.Expr:
    lw.error(
        "PFC080",
        n,
        f"{n.value!r} is a child run's handle, not a JSON value (it cannot be returned, stored or passed)",
        f"{USES}; pass {n.value}.run_id to identify the child",
    )
    raise Unsupported
