"""What ``isinstance(x, ...)`` a target whose values are JSON values (Step Functions' JSON, Cloudflare's
JavaScript numbers and arrays) can answer as Python does, shared by those backends: each refuses the rest with
a code of its own (PFC040 on AWS, PFC060 on Cloudflare) and lowers the rest to a test of the value's Python
type name (``pf_tname`` / ``py.typeName``), where a bool is an int too.

Two things the values lose: a float with an integral value (``2.0`` from a step is the number 2), so a test
of ``int`` or of ``float`` alone cannot be answered for a value whose static type is not known; and tuples
(lists there), so a test of ``list`` or ``tuple`` cannot be answered in a module whose workflows make tuples
they keep (``frontend/typetests.py`` says where the first one is made)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portaflow.compiler import ir

# static types whose values' Python class a JSON value tells: a number typed int or float keeps its class
_KNOWN = ("int", "float", "bool", "str", "list", "dict", "none")


def classes(call: ir.Call) -> list[str]:
    """The class names of ``isinstance(x, ...)`` as written."""
    names = call.args[1]
    return list(getattr(names, "value", ()))


def type_names(call: ir.Call) -> list[str]:
    """The Python type names a value must have to pass the test (``int`` takes ``bool`` too)."""
    names = classes(call)
    return [*names, "bool"] if "int" in names and "bool" not in names else names


def refusal(call: ir.Call, target: str) -> tuple[str, str] | None:
    """(why, what to write instead) where ``call``, an ``isinstance``, cannot give Python's answer on
    ``target`` (the engine's name for the message), else None."""
    names = set(classes(call))
    value = call.args[0]
    tuple_line = getattr(call.args[2], "value", 0) if len(call.args) > 2 else 0
    if value.ty in ("datetime", "error") and target == "Step Functions":
        what = "ctx.now()'s time is an ISO string" if value.ty == "datetime" else "a caught error is a dict"
        return (
            f"isinstance() of a {value.ty} cannot be answered on {target}: {what} there",
            "the value's class is known where it is made: test what you need of it instead",
        )
    if names & {"list", "tuple"} and tuple_line:
        return (
            f"isinstance(x, {'/'.join(sorted(names & {'list', 'tuple'}))}) cannot tell a tuple from a list "
            f"on {target}, where a tuple is a list, and this module's workflows keep a tuple (line "
            f"{tuple_line})",
            "unpack the tuple where it is made (k, v = pair), or make a list ([a, b]) instead of a tuple",
        )
    if ("int" in names) != ("float" in names) and value.ty not in _KNOWN:
        return (
            f"isinstance(x, {'int' if 'int' in names else 'float'}) of a value whose type is known only at "
            f"run time cannot be answered on {target}: a float with an integral value (2.0) from a step, an "
            "event or the input is the number 2 there",
            "test numbers with isinstance(x, (int, float)), or annotate the value (a parameter x: float, a "
            "step's -> float)",
        )
    return None


_SCALARS = ("int", "float", "bool", "str", "none")


def set_refusal(call: ir.Call, target: str) -> tuple[str, str] | None:
    """(why, what to write instead) where ``call``, a ``set``, may hold tuples that ``target`` holds as lists
    (so it could not tell Python's hashable tuple from an unhashable list), else None."""
    tuple_line = getattr(call.args[1], "value", 0) if len(call.args) > 1 else 0
    if not tuple_line or all(t in _SCALARS for t in _item_types(call.args[0])):
        return None
    return (
        f"a set whose items may be tuples cannot be made on {target}, where a tuple is a list (unhashable), "
        f"and this module's workflows keep a tuple (line {tuple_line})",
        'make the items strings (f"{a}:{b}") or numbers, or unpack the tuples where they are made',
    )


def _item_types(items: ir.Expr) -> list[str]:
    """The static types of the items ``items`` holds, as far as the expression shows them (else "any")."""
    from portaflow.compiler import ir

    if isinstance(items, ir.ListExpr):
        return [_item_type(i) for i in items.items]
    if isinstance(items, ir.ListComp):
        return [_item_type(items.elt)]
    if isinstance(items, ir.BinOp):  # s.add(x): list(s) + [x]
        return [*_item_types(items.left), *_item_types(items.right)]
    if isinstance(items, ir.Call) and items.func == "list" and items.args and items.args[0].ty == "set":
        return []  # the items of a set already made (and checked)
    return ["str"] if items.ty == "str" else ["any"]


# what an item's expression gives when it gives anything, whatever its operands are: no tuple
_STR_LISTS = frozenset({"str.split", "str.rsplit", "str.splitlines"})  # lists of str


def _item_type(e: ir.Expr) -> str:
    """``e.ty``, or "str"/"number" where the expression's form rules out a tuple though its operands'
    types are unknown: an arithmetic a tuple has no operator for (``x % 2``, ``a - b``), an item of a
    str's split (``name.split()[0]``)."""
    from portaflow.compiler import ir

    if e.ty in _SCALARS:
        return e.ty
    if (
        isinstance(e, ir.BinOp)
        and e.op in ("-", "/", "//", "%", "**")
        and "set" not in (e.left.ty, e.right.ty)
    ):
        return "float"  # a number, or (``%`` of a str) a str: never a tuple
    if isinstance(e, ir.Subscript) and isinstance(e.value, ir.Call) and e.value.func in _STR_LISTS:
        return "str"
    return e.ty
