"""Generator expressions a target computes all at once (a JSONata or TypeScript array): exact wherever
Python consumes every item too (``sum``, ``sorted``, ``list``...) or where the lowering stops at the deciding
item (``any``/``all``), not where Python stops early on its own: ``zip()`` stops at its shortest input and
``enumerate()`` is pulled one item at a time by its consumer, so an item that raises past that point raises
on the target only. Such a call is refused where a generator's items may raise."""

from __future__ import annotations

from portaflow.compiler import ir

PARTIAL = ("zip", "enumerate")  # calls that may stop before a generator argument is used up


def lazy_parts(gen: ir.ListComp) -> list[ir.Expr]:
    """What a generator computes item by item (its first iterable is evaluated at once, as in Python)."""
    return [gen.elt, *(c for g in gen.generators for c in g.ifs), *(g.iter for g in gen.generators[1:])]


def eager_refusal(call: ir.Call, target: str) -> tuple[str, str] | None:
    """(why, what to write instead) for ``zip``/``enumerate`` of a generator whose items may raise."""
    if call.func not in PARTIAL:
        return None
    for arg in call.args:
        if isinstance(arg, ir.ListComp) and arg.generator and any(ir.may_raise(x) for x in lazy_parts(arg)):
            stop = "stops at its shortest input" if call.func == "zip" else "is pulled one item at a time"
            return (
                f"{call.func}() of a generator expression whose items may raise: Python's {call.func}() "
                f"{stop}, so it may never compute the item that raises, while {target} computes every item "
                "first",
                "pass a list comprehension [...] (Python then computes every item too), or make the items "
                "unable to raise",
            )
    return None
