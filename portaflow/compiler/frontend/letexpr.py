"""A helper call inside an expression (``if is_done(reply):``, ``f"{fmt(x)}"``, ``[label(t) for t in ts]``):
the inlined statements turned into one expression, so the call is evaluated exactly where, when and as
often as Python evaluates it.

Only assignments and ``if`` statements have an expression form: ``v = e`` followed by the rest is the rest
with ``v`` bound to ``e`` (``[rest for v in [e]][0]``, or ``e`` itself put in for ``v`` when ``e`` is a
constant or a name nothing reassigns); ``if t:`` is a conditional expression over both branches, each
followed by the rest. A helper with a loop, a ``raise``, a ``try`` or a step call is refused there (PFC023):
its call must be a statement (``x = helper(...)``), where anything a helper may do is inlined."""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import ir
from ..ir import types

#: past this many IR nodes an expression form (whose ``if``s copy what follows them) is refused
MAX_NODES = 2000


class NoExpressionForm(Exception):
    """The statements hold one that no expression can stand for (the message says which)."""


def expression_of(stmts: list[ir.Stmt], result: ir.Expr, env: types.Env) -> ir.Expr:
    """One expression computing ``result`` after ``stmts`` (assignments and ``if``s) have run; ``env``
    types the caller's variables (each bound variable is typed by its value, as Python would see it)."""
    seen: set[str] = set()
    reassigned: set[str] = set()  # assigned more than once: a name of it may not stand for its value
    for s in ir.walk_stmts(tuple(stmts)):
        for n in ir.assigned_names(s):
            (reassigned if n in seen else seen).add(n)
    out = _expr(stmts, result, reassigned, dict(env))
    if _size(out) > MAX_NODES:
        raise NoExpressionForm("its expression form would be too large")
    return out


_WHAT = {
    ir.While: "a while loop",
    ir.For: "a for loop",
    ir.Try: "a try statement",
    ir.Raise: "a raise",
    ir.SetItem: "an assignment to an item",
    ir.Assign: "a change made in place",  # the other assignments have an expression form
}


def _expr(stmts: list[ir.Stmt], result: ir.Expr, reassigned: set[str], env: dict[str, ir.Type]) -> ir.Expr:
    if not stmts:
        return types.typed(result, env)
    s, rest = stmts[0], stmts[1:]
    if isinstance(s, ir.Assign) and isinstance(s.target, ir.NameTarget) and not s.in_place:
        v, e = s.target.id, types.typed(s.value, env)
        inner = _expr(rest, result, reassigned, {**env, v: e.ty})
        if isinstance(inner, ir.Name) and inner.id == v:
            return e  # `v = e` then v: e itself
        if v not in ir.read_names(inner) and not ir.may_raise(e):
            return inner  # a value nothing reads, and whose evaluation cannot fail
        # a later rebinding of ``v`` is a binding of its own (a comprehension), where substitute() stops
        if isinstance(e, ir.Const) or (isinstance(e, ir.Name) and e.id not in reassigned):
            replaced: ir.Expr = substitute(inner, v, lambda _: e)
            return replaced
        comp = ir.ListComp(inner, (ir.Comprehension(s.target, ir.ListExpr((e,), "list"), ()),))
        return ir.Subscript(comp, ir.Const(0, "int"), inner.ty)
    if isinstance(s, ir.Assign) and isinstance(s.target, ir.TupleTarget) and not s.in_place:
        e = types.typed(s.value, env)  # `a, b = e`: unpacked as Python unpacks (ValueError on a mismatch)
        inner = _expr(rest, result, reassigned, {**env, **dict.fromkeys(ir.target_names(s.target), "any")})
        comp = ir.ListComp(inner, (ir.Comprehension(s.target, ir.ListExpr((e,), "list"), ()),))
        return ir.Subscript(comp, ir.Const(0, "int"), inner.ty)
    if isinstance(s, ir.If):
        body = _expr([*s.body, *rest], result, reassigned, env)
        orelse = _expr([*s.orelse, *rest], result, reassigned, env)
        return ir.IfExp(types.typed(s.test, env), body, orelse, types.join(body.ty, orelse.ty))
    what = _WHAT.get(type(s), "a step or context call")
    raise NoExpressionForm(f"it has {what}")


def substitute(x: Any, v: str, repl: Any) -> Any:
    """``x`` with each read of the variable ``v`` replaced by ``repl(name)``, where ``v`` is not rebound
    (a comprehension's own ``v``, a lambda's parameter)."""
    if isinstance(x, ir.Name):
        return repl(x) if x.id == v else x
    if isinstance(x, (ir.ListComp, ir.DictComp)):
        bound = False
        gens = []
        for g in x.generators:
            it = g.iter if bound else substitute(g.iter, v, repl)
            bound = bound or v in ir.target_names(g.target)
            ifs = g.ifs if bound else substitute(g.ifs, v, repl)
            gens.append(dataclasses.replace(g, iter=it, ifs=ifs))
        if isinstance(x, ir.ListComp):
            elt = x.elt if bound else substitute(x.elt, v, repl)
            return dataclasses.replace(x, elt=elt, generators=tuple(gens))
        key = x.key if bound else substitute(x.key, v, repl)
        value = x.value if bound else substitute(x.value, v, repl)
        return dataclasses.replace(x, key=key, value=value, generators=tuple(gens))
    if isinstance(x, ir.Lambda) and v in x.params:
        return x
    if isinstance(x, tuple):
        return tuple(substitute(y, v, repl) for y in x)
    if dataclasses.is_dataclass(x) and not isinstance(x, (type, ir.Loc)):
        changes = {}
        for f in dataclasses.fields(x):
            old = getattr(x, f.name)
            new = substitute(old, v, repl)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(x, **changes) if changes else x
    return x


def _size(x: Any) -> int:
    if isinstance(x, tuple):
        return sum(_size(y) for y in x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return 1 + sum(_size(getattr(x, f.name)) for f in dataclasses.fields(x))
    return 0
