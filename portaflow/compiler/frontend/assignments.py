"""Assignments: ``x = v``, ``a, b = v``, ``x: T = v``, ``x += v``, ``name[key] = v`` and ``xs.append(v)`` of a
local list, each as the IR's :class:`~portaflow.compiler.ir.Assign` or ``SetItem`` (``in_place`` where Python
changes the value in place, for the aliasing pass)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

import libcst as cst

from .. import ir
from . import calls, expressions
from .common import AUG_OPS, Unsupported

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer


def assign_statement(lw: WorkflowLowerer, n: cst.Assign, loc: ir.Loc) -> list[ir.Stmt]:
    """``x = v``; ``a = b = v`` assigns the first target, then each other from it."""
    if len(n.targets) != 1:
        out: list[ir.Stmt] = []
        first = n.targets[0].target
        out += assign(lw, first, n.value, loc, n)
        for t in n.targets[1:]:
            out += assign_value(lw, t.target, lw.expr(first), loc)
        return out
    return assign(lw, n.targets[0].target, n.value, loc, n)


def annotated(lw: WorkflowLowerer, n: cst.AnnAssign, loc: ir.Loc) -> list[ir.Stmt]:
    if n.value is None:
        return []
    return assign(lw, n.target, n.value, loc, n)


def augmented(lw: WorkflowLowerer, n: cst.AugAssign, loc: ir.Loc) -> list[ir.Stmt]:
    op = lw.arith_operator(n.operator, AUG_OPS)
    if isinstance(n.value, cst.Call) and calls.is_step_like(lw, n.value) and not calls.hoistable(lw, n.value):
        lw.error(
            "PFC023",
            n.value,
            "a step call cannot be part of an augmented assignment",
            "assign the step's result to a variable first, then add it",
        )
        raise Unsupported
    cur = lw.expr(n.target)
    operand = lw.expr(n.value)
    rhs = expressions.binop(lw, cast(ir.BinOpName, op), cur, operand)
    # `xs += ys` and `xs *= n` extend a list in place; on numbers and strings they rebind
    extends = op == "+" and operand.ty in ("list", "any")
    repeats = op == "*" and operand.ty in ("int", "bool", "any")
    in_place = cur.ty in ("list", "any") and (extends or repeats)
    if isinstance(n.target, cst.Name):
        return [ir.Assign(ir.NameTarget(n.target.value), rhs, loc, in_place)]
    if isinstance(n.target, cst.Subscript):
        return set_item(lw, n.target, rhs, loc, in_place)
    lw.error(
        "PFC025", n.target, "only a name or a subscript can be assigned to", "assign to a local variable"
    )
    raise Unsupported


def assign_target(lw: WorkflowLowerer, t: cst.BaseExpression) -> ir.Target:
    if isinstance(t, cst.Name):
        return ir.NameTarget(t.value)
    if isinstance(t, (cst.Tuple, cst.List)):
        elts = []
        for el in t.elements:
            if isinstance(el, cst.StarredElement):
                lw.error("PFC025", el, "starred assignment is not supported", "index the list instead")
                raise Unsupported
            elts.append(assign_target(lw, el.value))
        return ir.TupleTarget(tuple(elts))
    lw.error(
        "PFC025",
        t,
        f"cannot assign to `{lw.fe.code(t)}`",
        "assign to a local variable, a tuple of names, or name[key]",
    )
    raise Unsupported


def assign(
    lw: WorkflowLowerer, target: cst.BaseExpression, value: cst.BaseExpression, loc: ir.Loc, node: cst.CSTNode
) -> list[ir.Stmt]:
    if isinstance(target, cst.Subscript):
        if isinstance(value, cst.Call) and calls.needs_statement(lw, value):
            tmp = ir.NameTarget(ir.temporary("tmp"))
            special = calls.call_statement(lw, value, tmp, loc)
            assert special is not None
            return special + set_item(lw, target, ir.Name(tmp.id), loc)
        return set_item(lw, target, lw.expr(value), loc)
    t = assign_target(lw, target)
    if isinstance(value, cst.Call):
        special = calls.call_statement(lw, value, t, loc)
        if special is not None:
            return special
    return assign_value(lw, target, lw.expr(value), loc)


def assign_value(
    lw: WorkflowLowerer, target: cst.BaseExpression, value: ir.Expr, loc: ir.Loc
) -> list[ir.Stmt]:
    t = assign_target(lw, target)
    return [ir.Assign(t, value, loc)]


def set_item(
    lw: WorkflowLowerer, target: cst.Subscript, value: ir.Expr, loc: ir.Loc, in_place: bool = False
) -> list[ir.Stmt]:
    from . import mutations  # it lowers through here

    if mutations.nested_target(lw, target):
        return mutations.set_nested(lw, target, value, loc, in_place)
    if (
        not isinstance(target.value, cst.Name)
        or len(target.slice) != 1
        or not isinstance(target.slice[0].slice, cst.Index)
    ):
        lw.error(
            "PFC025",
            target,
            "only name[key] = value on a local list or dict is supported",
            "build the nested value in a local variable, then assign it",
        )
        raise Unsupported
    name = target.value.value
    if name not in lw.locals:
        lw.error("PFC026", target.value, f"name {name!r} is not defined", "assign it first")
        raise Unsupported
    idx = lw.expr(target.slice[0].slice.value)
    return [ir.SetItem(name, idx, value, loc, in_place)]


def list_mutation(lw: WorkflowLowerer, call: cst.Call, func: cst.Attribute, loc: ir.Loc) -> list[ir.Stmt]:
    name = cast(cst.Name, func.value).value
    if name not in lw.locals:
        lw.error(
            "PFC026",
            func.value,
            f"name {name!r} is not defined (or not a local list)",
            "append to a list assigned in this workflow",
        )
        raise Unsupported
    for a in call.args:
        if a.star:
            lw.error("PFC021", a, "*args in calls are not supported", "pass each argument")
            raise Unsupported
    [argnode], _ = calls.check_arguments(
        lw,
        call,
        f"list.{func.attr.value}",
        [a.value for a in call.args if a.keyword is None],
        [(a.keyword.value, a.value) for a in call.args if a.keyword is not None],
    )
    before: list[ir.Stmt] = []
    if isinstance(argnode, cst.Call) and calls.needs_statement(lw, argnode):
        # xs.append(step(...)): the step call is a statement of its own, then its result is appended
        tmp = ir.NameTarget(ir.temporary("arg"))
        special = calls.call_statement(lw, argnode, tmp, loc)
        if special is None:
            raise Unsupported
        before = special
        arg: ir.Expr = ir.Name(tmp.id)
    else:
        arg = lw.expr(argnode)
    cur = ir.Name(name, "list")
    new: ir.Expr = ir.BinOp("+", cur, ir.ListExpr((arg,)) if func.attr.value == "append" else arg, "list")
    method = cast(Literal["append", "extend"], func.attr.value)
    return [*before, ir.Assign(ir.NameTarget(name), new, loc, in_place=True, method=method)]
