"""Sets a workflow makes (``{a, b}``, ``{f(x) for x in xs}``, ``set(xs)``, ``seen = set()`` then
``seen.add(x)``), for what does not depend on their order: membership (``x in seen``), ``len()``,
``sorted()``, truthiness and ``set(s)``.

Python iterates a set in an order of its own (by hash, which for strings changes from one process to the
next), which no JSON value keeps: a JSON target holds a set as the list of its distinct items, so every use
that would show the order (a ``for`` over it, ``list(s)``, printing, returning or passing it, comparing it)
is refused here, for every target alike, saying to write ``sorted(s)``. The IR is the catalogue's ``set``
row: ``Call("set", (items, Const(line)))``, ``line`` being where the module's workflows first keep a tuple
(``frontend/typetests.py``): a target where tuples are lists reads it to refuse a set whose items may be
tuples, since it could not tell a hashable tuple from an unhashable list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import libcst as cst

from .. import ir
from ..diagnostics import Diagnostic
from .common import Unsupported
from .typetests import first_tuple_line

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

_INSTEAD = "iterate, print or return sorted(s) (a list), and test members with `x in s`"


def of_items(lw: WorkflowLowerer, items: ir.Expr) -> ir.Call:
    """``set(items)``."""
    return ir.Call("set", (items, ir.Const(first_tuple_line(lw), "int")), (), "set")


def display(lw: WorkflowLowerer, n: cst.Set) -> ir.Expr:
    """``{a, b}``, and ``{*xs, a}`` (the items of a list display with the same elements)."""
    from .unpacking import starred_list

    if any(isinstance(el, cst.StarredElement) for el in n.elements):
        return of_items(lw, starred_list(lw, n))
    return of_items(lw, ir.ListExpr(tuple(lw.expr(el.value) for el in n.elements)))


def comprehension(lw: WorkflowLowerer, n: cst.SetComp) -> ir.Expr:
    from .expressions import list_comp  # the two modules import each other

    return of_items(lw, list_comp(lw, n))


def add(lw: WorkflowLowerer, call: cst.Call, name: str, loc: ir.Loc) -> list[ir.Stmt]:
    """``s.add(x)`` of a local set: ``s = set(list(s) + [x])`` (no other name can hold the set: see
    :func:`check`, so a rebinding is the change in place on every target)."""
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        lw.error("PFC024", call, "s.add() takes exactly one argument", "write s.add(x)")
        raise Unsupported
    item = lw.expr(call.args[0].value)
    grown = ir.BinOp("+", ir.Call("list", (ir.Name(name, "set"),), (), "list"), ir.ListExpr((item,)), "list")
    return [ir.Assign(ir.NameTarget(name), of_items(lw, grown), loc)]


def check(lw: WorkflowLowerer, body: tuple[ir.Stmt, ...]) -> None:
    """PFC021 for each statement that uses a set where its order would show (or lets another name hold it)."""
    for stmt in ir.walk_stmts(body):
        for ancestors, child in _pairs(stmt, ()):
            parent = ancestors[-1]
            if getattr(child, "ty", None) == "set" and not _allowed(lw, ancestors, child):
                what = (
                    "iterating a set"
                    if isinstance(parent, (ir.For, ir.Comprehension)) and parent.iter is child
                    else "this use of a set"
                )
                message = (
                    f"{what} is not supported: Python's order of a set's items (by hash) is no list's, so no "
                    "target can give it; a set may be tested with `in`, measured with len(), sorted(), "
                    "grown with s.add(x) and held by one variable"
                )
                d = Diagnostic("PFC021", message, lw.fe.path, stmt.loc.line, stmt.loc.col, _INSTEAD)
                if lw.report and d not in lw.fe.diags:
                    lw.fe.diags.append(d)
                break


def _pairs(x: Any, above: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(its ancestors, nearest last; a node) for every node of a statement's own expressions (not of the
    statements nested in it), starting at the statement ``x``."""
    chain = (*above, x)
    for f in x.__dataclass_fields__:
        for y in _flat(getattr(x, f)):
            if isinstance(y, ir.Branch):
                yield from _pairs(y, chain)
            elif hasattr(y, "__dataclass_fields__") and not isinstance(y, ir.Stmt):
                yield chain, y
                yield from _pairs(y, chain)


def _flat(value: Any) -> Iterator[Any]:
    if isinstance(value, tuple):
        for v in value:
            yield from _flat(v)
    else:
        yield value


def _allowed(lw: WorkflowLowerer, ancestors: tuple[Any, ...], child: ir.Expr) -> bool:
    """Whether ``child``, a set, sits where its order cannot show."""
    parent = ancestors[-1]
    if isinstance(parent, ir.Compare):
        pairs = zip(parent.ops, parent.comparators, strict=True)
        return any(op in ("in", "not in") and c is child for op, c in pairs)
    if isinstance(parent, ir.Call):
        if parent.func in ("len", "sorted", "bool", "set") and parent.args[0] is child:
            return True
        return parent.func == "list" and _into_a_set(ancestors)  # s.add(x), {*s, *t}: set(list(s) + ...)
    if isinstance(parent, ir.UnaryOp):
        return parent.op == "not"
    if isinstance(parent, (ir.If, ir.While)):
        return parent.test is child
    if isinstance(parent, ir.Assign):  # a new set (not another name's: s.add on one would not show on both)
        target = parent.target
        fresh = not isinstance(child, ir.Name)
        return fresh and isinstance(target, ir.NameTarget) and lw.types.get(target.id) == "set"
    return False


def _into_a_set(ancestors: tuple[Any, ...]) -> bool:
    """Whether the node under ``ancestors`` is (through ``+``) the items of a ``set(...)``: their order is
    lost again there."""
    up = list(ancestors[:-1])
    while up and isinstance(up[-1], ir.BinOp) and up[-1].op == "+":
        up.pop()
    return bool(up) and isinstance(up[-1], ir.Call) and up[-1].func == "set"
