"""``[*a, *b]`` (and the tuple ``(*a, x)``) and ``{**a, "k": v, **b}``, lowered to calls every target already
has: ``list(a) + [x] + list(b)`` and ``dict(list(a.items()) + [[k, v]] + list(b.items()))``, which give
Python's items in Python's order (a later key's value wins, at the place of its first occurrence).

Python raises TypeError for an operand of another type, with a message of its own ("Value after * must be an
iterable, not int", "'int' object is not a mapping") that ``list()`` and ``.items()`` do not give: an
operand must be of a type known to iterate (``*``: a list, str or dict; ``**``: a dict), by an annotation,
a step's return type or the expression itself, else it is refused with what to write."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from .. import ir
from .common import Unsupported

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

ITERABLE = ("list", "str", "dict")


def starred_list(lw: WorkflowLowerer, n: cst.List | cst.Tuple | cst.Set) -> ir.Expr:
    """A list, tuple or set display with ``*x`` items (the set's: its items, of which sets.py makes one)."""
    parts: list[ir.Expr] = []
    plain: list[ir.Expr] = []
    for el in n.elements:
        if not isinstance(el, cst.StarredElement):
            plain.append(lw.expr(el.value))
            continue
        if plain:
            parts.append(ir.ListExpr(tuple(plain)))
            plain = []
        value = lw.expr(el.value)
        if value.ty not in (*ITERABLE, "set"):  # a set's order: sets.check allows it in a set display only
            _refuse(lw, el, "*", "an iterable", "[*list(x)] or xs + list(x)")
        parts.append(ir.Call("list", (value,), (), "list"))
    if plain:
        parts.append(ir.ListExpr(tuple(plain)))
    return _concatenated(parts)


def merged_dict(lw: WorkflowLowerer, n: cst.Dict) -> ir.Expr:
    """A dict display with ``**m`` items."""
    parts: list[ir.Expr] = []
    pairs: list[ir.Expr] = []
    for el in n.elements:
        if isinstance(el, cst.DictElement):
            key = lw.expr(el.key)
            if key.ty not in ("str", "any"):
                lw.error("PFC021", el.key, "dict keys must be strings (JSON objects)", "use str keys")
            pairs.append(ir.ListExpr((key, lw.expr(el.value))))
            continue
        if pairs:
            parts.append(ir.ListExpr(tuple(pairs)))
            pairs = []
        value = lw.expr(el.value)
        if value.ty != "dict":
            _refuse(lw, el, "**", "a mapping", "{**dict(x)} once x is known to be a dict")
        parts.append(ir.Call("list", (ir.Call("dict.items", (value,), (), "list"),), (), "list"))
    if pairs:
        parts.append(ir.ListExpr(tuple(pairs)))
    return ir.Call("dict", (_concatenated(parts),), (), "dict")


def _concatenated(parts: list[ir.Expr]) -> ir.Expr:
    out = parts[0] if parts else ir.ListExpr(())
    for p in parts[1:]:
        out = ir.BinOp("+", out, p, "list")
    return out


def _refuse(lw: WorkflowLowerer, el: cst.CSTNode, star: str, what: str, instead: str) -> None:
    """PFC021, except in the draft lowering, where the variables' types are not known yet: the display's
    type (list, dict) is what the inference needs from it."""
    if lw.drafting:
        return
    lw.error(
        "PFC021",
        el,
        f"`{star}x` of a value whose type is known only at run time: Python's TypeError for a value that is "
        f"not {what} has a message of its own",
        f"annotate it (a parameter x: list, a step's -> dict), or write {instead}",
    )
    raise Unsupported
