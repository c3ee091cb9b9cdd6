"""Lazy objects of Python (``range``, ``zip``, ``enumerate``, ``reversed``, dict views) that a target holds as
a list or an array (Cloudflare's runtime, Step Functions' JSONata): the same wherever the value is consumed
once where it is made, not when kept in a variable (a view then misses the dict's later changes, an iterator
is not used up by a pass), printed, compared or indexed. Each such target refuses the rest with its code."""

from __future__ import annotations

from typing import Any

from portaflow.compiler import ir

# Calls whose Python result is a lazy object (range, an iterator, a dict view) that the runtime holds as a
# list: the same wherever the value is consumed once by iteration, but not when kept, printed, compared,
# indexed or measured (str(d.keys()) is "dict_keys([...])", zip(...) == [...] is False, a second pass over
# an iterator sees nothing)
LAZY = {"range": "range", "enumerate": "enumerate", "zip": "zip", "reversed": "reversed"}
VIEWS = {"keys": "dict_keys", "values": "dict_values", "items": "dict_items"}
# calls that iterate an argument once, by its index (min/max: when it is their only positional argument)
CONSUMERS = {
    "list": (0,),
    "sorted": (0,),
    "sum": (0,),
    "min": (0,),
    "max": (0,),
    "any": (0,),
    "all": (0,),
    "dict": (0,),
    "enumerate": (0,),
    "zip": (0, 1),
    "str.join": (1,),
    "list.extend": (1,),
}
SIZED = ("range", "keys", "values", "items")  # len() and `in` of these are Python's on a list too


def lazy_kind(e: ir.Expr) -> str | None:
    """The Python type of ``e``'s result where it is a lazy object ("zip", "dict_keys"...), else None."""
    if not isinstance(e, ir.Call):
        return None
    if e.func in LAZY:
        return LAZY[e.func]
    head, _, method = e.func.partition(".")
    return VIEWS.get(method) if head in ("dict", "any") else None


def consumed(parent: Any, child: ir.Expr) -> bool:
    """Whether ``parent`` iterates ``child`` once (or only asks what a list answers the same)."""
    if isinstance(parent, ir.For | ir.Comprehension):
        return parent.iter is child
    if isinstance(parent, ir.Assign):
        return isinstance(parent.target, ir.TupleTarget) and parent.value is child
    if isinstance(parent, ir.Compare):
        return any(
            op in ("in", "not in") and c is child
            for op, c in zip(parent.ops, parent.comparators, strict=True)
        )
    if isinstance(parent, ir.Call):
        positions = CONSUMERS.get(parent.func.replace("any.", "dict."), ())
        if parent.func in ("min", "max") and len(parent.args) != 1:
            return False
        if any(parent.args[i] is child for i in positions if i < len(parent.args)):
            return True
        kind = child.func.rpartition(".")[2] if isinstance(child, ir.Call) else ""
        # reversed() takes a range or a dict view (reversible), not an enumerate or zip (TypeError)
        reverses = parent.func == "reversed" and parent.args[0] is child
        return (parent.func == "len" or reverses) and kind in SIZED
    return False


def children(node: Any) -> list[Any]:
    """The expressions directly under ``node`` (a statement, an expression or a comprehension clause)."""
    if isinstance(node, ir.ListComp):
        return [*node.generators, node.elt]
    if isinstance(node, ir.DictComp):
        return [*node.generators, node.key, node.value]
    if isinstance(node, ir.Comprehension):
        return [node.iter, *node.ifs]
    if isinstance(node, ir.Lambda):
        return [node.body]
    if isinstance(node, ir.Stmt):
        out: list[Any] = []
        for f in node.__dataclass_fields__:
            value = getattr(node, f)
            for v in value if isinstance(value, tuple) else (value,):
                v = v[1] if isinstance(v, tuple) else v  # a step call's (parameter, argument)
                if isinstance(v, ir.Branch):  # its statements are walked on their own; not its result
                    out.append(v.result)
                elif isinstance(v, ir.Expr):
                    out.append(v)
        return out
    return ir.expr_children(node)


def first_kept(node: Any, parent: Any = None) -> tuple[str, str] | None:
    """(the call, the lazy type) of the first lazy object under ``node`` that is not consumed where it is
    made (kept in a variable, returned, printed, compared...), else None."""
    for child in children(node):
        kind = lazy_kind(child)
        if kind is not None and not consumed(node, child):
            call = child.func.rpartition(".")[2] if isinstance(child, ir.Call) else kind
            return call, kind
        found = first_kept(child, node)
        if found is not None:
            return found
    return None


def refusal(call: str, kind: str, target: str) -> tuple[str, str]:
    """(why, what to write instead) for a lazy object kept as a value on ``target``."""
    return (
        f"{call}() gives a {kind} object in Python (lazy: a view shows the dict's later changes, an "
        f"iterator is used up by one pass, and it prints and compares as a {kind}), which {target} holds "
        "as a list",
        f"write list({call}(...)) where the value is kept, printed, compared or indexed; iterate "
        f"{call}(...) directly in a for loop or comprehension",
    )
