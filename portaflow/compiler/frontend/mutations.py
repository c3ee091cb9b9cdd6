"""Methods that change a list or dict in place, lowered to IR every backend runs.

``xs.sort(key=...)``, ``xs.pop(i)``, ``d.setdefault(k, []).append(x)``, ``d[k].append(v)``, ``d[k][j] = v``,
``d.update(...)``, ``del d[k]``... become the checks Python makes (each raising Python's exception and
message: ``AttributeError`` for a receiver of another type, ``IndexError("pop from empty list")``...), then an
:class:`~portaflow.compiler.ir.Assign` with ``in_place`` and the ``method`` whose ``value`` is the receiver's
new contents (a target with reference semantics changes the object to hold them, one that copies values
rebinds, which :mod:`portaflow.compiler.aliasing` proves equivalent or refuses). An item's change is made on
a part temporary (``%partN = d[k]``) that is stored back (``d[k] = %partN``): on a reference target that is
the same object (the store changes nothing), on a copying one it writes the changed copy back.

Every subexpression is evaluated once and in Python's order: the receiver, the method lookup (the type
check), then the arguments left to right."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import libcst as cst

from .. import ir
from . import calls
from .common import Unsupported

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

LIST_ONLY = frozenset({"append", "extend", "sort", "reverse", "insert", "remove"})
DICT_ONLY = frozenset({"update", "setdefault"})
BOTH = frozenset({"pop", "clear"})
MUTATORS = LIST_ONLY | DICT_ONLY | BOTH
PART = "part"  # the stem of a part temporary (aliasing.py recognises the store-back by it)


def is_part(name: str) -> bool:
    """A temporary holding an item of a local while a method changes it (``%part3``)."""
    return ir.is_temporary(name) and name[1:].startswith(PART)


@dataclass
class Place:
    """The value a method changes: a local (``owner`` None) or an item ``owner[index]`` held in a part
    temporary ``name`` while it changes."""

    name: str
    ty: ir.Type
    owner: str | None = None
    index: ir.Expr | None = None
    before: list[ir.Stmt] = field(default_factory=list)

    @property
    def ref(self) -> ir.Name:
        return ir.Name(self.name, self.ty)


def _local(lw: WorkflowLowerer, node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name) and node.value in lw.locals and node.value != lw.ctx:
        if (
            lw.types.get(node.value) in ("set", "datetime", "timedelta", "error")
            or node.value in lw.error_vars
        ):
            return None
        return node.value
    return None


def _item_of_local(lw: WorkflowLowerer, node: cst.BaseExpression) -> bool:
    """``name[key]`` of a local, or ``name.setdefault(k, v)`` (the item it returns)."""
    if isinstance(node, cst.Subscript):
        return (
            _local(lw, node.value) is not None
            and len(node.slice) == 1
            and isinstance(node.slice[0].slice, cst.Index)
        )
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "setdefault"
        and _local(lw, node.func.value) is not None
    )


def is_mutation(lw: WorkflowLowerer, call: cst.Call) -> bool:
    """A call of a changing method this module lowers: on a local (other than ``xs.append/extend``, which
    :func:`.assignments.list_mutation` lowers), or on an item of a local."""
    f = call.func
    if not isinstance(f, cst.Attribute) or f.attr.value not in MUTATORS:
        return False
    if _local(lw, f.value) is not None:
        return f.attr.value not in ("append", "extend")
    return _item_of_local(lw, f.value)


# ------------------------------------------------------------------------------------------ IR helpers
def _temp(lw: WorkflowLowerer, stem: str) -> str:
    lw.hoisted += 1
    name = ir.temporary(f"{stem}{lw.hoisted}")
    lw.locals.add(name)
    return name


def _isa(lw: WorkflowLowerer, x: ir.Expr, *classes: str) -> ir.Expr:
    """``type(x).__name__ in classes``: the check a method's lookup makes. A target whose tuples are lists
    answers it for a tuple as its other method receivers do (docs/dsl.md, target differences)."""
    return ir.Compare(type_name(x), ("in",), (ir.Const(list(classes), "list"),))


def _isnt(lw: WorkflowLowerer, x: ir.Expr, *classes: str) -> ir.Expr:
    """``type(x).__name__ not in classes``."""
    return ir.Compare(type_name(x), ("not in",), (ir.Const(list(classes), "list"),))


def _len(x: ir.Expr) -> ir.Expr:
    return ir.Call("len", (x,), (), "int")


def type_name(x: ir.Expr) -> ir.Expr:
    """``type(x).__name__``: the catalogue's row, which the frontend alone makes."""
    return ir.Call("type.__name__", (x,), (), "str")


def _message(lw: WorkflowLowerer, x: ir.Expr, before: str, after: str) -> ir.Expr:
    """``f"{before}{type(x).__name__}{after}"``."""
    return ir.FString((ir.Const(before, "str"), ir.FormattedValue(type_name(x)), ir.Const(after, "str")))


def _raise(error: str, message: str | ir.Expr, loc: ir.Loc) -> ir.Raise:
    return ir.Raise(error, ir.Const(message, "str") if isinstance(message, str) else message, loc)


def no_attribute(lw: WorkflowLowerer, x: ir.Expr, method: str, loc: ir.Loc) -> ir.Raise:
    return _raise("AttributeError", _message(lw, x, "'", f"' object has no attribute '{method}'"), loc)


def _require(lw: WorkflowLowerer, place: Place, method: str, loc: ir.Loc) -> list[ir.Stmt]:
    """The method lookup: AttributeError unless the receiver is of a type that has ``method``."""
    classes = ("list",) if method in LIST_ONLY else ("dict",) if method in DICT_ONLY else ("list", "dict")
    if place.ty in classes:
        return []
    return [ir.If(_isnt(lw, place.ref, *classes), (no_attribute(lw, place.ref, method, loc),), (), loc)]


def _int_index(lw: WorkflowLowerer, i: ir.Expr, loc: ir.Loc) -> list[ir.Stmt]:
    """TypeError for an index that is not an int (a bool is one), as list.pop/insert raise it; by the type's
    name, which a target whose floats with an integral value are integers answers as its other checks of an
    int argument do (docs/dsl.md, target differences)."""
    if i.ty in ("int", "bool"):
        return []
    message = _message(lw, i, "'", "' object cannot be interpreted as an integer")
    return [ir.If(_isnt(lw, i, "int", "bool"), (_raise("TypeError", message, loc),), (), loc)]


def _change(place: Place, value: ir.Expr, method: str, loc: ir.Loc) -> ir.Assign:
    return ir.Assign(ir.NameTarget(place.name), value, loc, in_place=True, method=cast(ir.Method, method))


def _without(x: ir.Expr, i: ir.Expr) -> ir.Expr:
    """``x[:i] + x[i:][1:]``: the list without its item at ``i`` (an index in range, maybe negative)."""
    rest = ir.Slice(ir.Slice(x, i, None, "list"), ir.Const(1, "int"), None, "list")
    return ir.BinOp("+", ir.Slice(x, None, i, "list"), rest, "list")


def once(lw: WorkflowLowerer, node: cst.BaseExpression, out: list[ir.Stmt], loc: ir.Loc) -> ir.Expr:
    """``node`` lowered, its value kept in a temporary (statements appended to ``out``) unless it is a name
    or a constant; a step call (or an inlined helper) is a statement of its own."""
    if isinstance(node, cst.Call) and calls.needs_statement(lw, node):
        tmp = _temp(lw, "arg")
        special = calls.call_statement(lw, node, ir.NameTarget(tmp), loc)
        if special is None:
            raise Unsupported
        out += special
        return ir.Name(tmp)
    return keep(lw, lw.expr(node), out, loc)


def keep(lw: WorkflowLowerer, e: ir.Expr, out: list[ir.Stmt], loc: ir.Loc) -> ir.Expr:
    if isinstance(e, (ir.Const, ir.Name)):
        return e
    tmp = _temp(lw, "a")
    out.append(ir.Assign(ir.NameTarget(tmp), e, loc))
    return ir.Name(tmp, e.ty)


class Arguments:
    """A call's arguments, each lowered (after the receiver's check) and kept in a temporary unless it is a
    name or a constant, so that it is evaluated once, in Python's order."""

    def __init__(self, lw: WorkflowLowerer, call: cst.Call, loc: ir.Loc) -> None:
        self.lw, self.call, self.loc = lw, call, loc
        for a in call.args:
            if a.star:
                lw.error("PFC021", a, "*args in calls are not supported", "pass each argument")
                raise Unsupported
        self.positional = [a.value for a in call.args if a.keyword is None]
        self.keywords = [(a.keyword.value, a.value) for a in call.args if a.keyword is not None]

    def value(self, node: cst.BaseExpression, out: list[ir.Stmt]) -> ir.Expr:
        return once(self.lw, node, out, self.loc)

    def count(self, method: str, least: int, most: int, keywords: Sequence[str] = ()) -> None:
        """PFC021 where Python raises TypeError for the arguments' shape (a static fact)."""
        n = len(self.positional)
        bad = [k for k, _ in self.keywords if k not in keywords]
        if least <= n <= most and not bad:
            return
        forms = {
            "sort": "xs.sort(), with key=... and reverse=...",
            "reverse": "xs.reverse()",
            "insert": "xs.insert(i, x)",
            "remove": "xs.remove(x)",
            "pop": "xs.pop(), xs.pop(i), d.pop(key) or d.pop(key, default)",
            "clear": "x.clear()",
            "update": "d.update(other) or d.update(key=value, ...)",
            "setdefault": "d.setdefault(key) or d.setdefault(key, default)",
            "append": "xs.append(x)",
            "extend": "xs.extend(ys)",
        }
        self.lw.error(
            "PFC021",
            self.call,
            f".{method}() does not take these arguments: Python raises TypeError",
            f"write {forms[method]}",
        )
        raise Unsupported


# ------------------------------------------------------------------------------------------ the places
def _place(lw: WorkflowLowerer, node: cst.BaseExpression, loc: ir.Loc) -> Place:
    name = _local(lw, node)
    if name is not None:
        return Place(name, lw.types.get(name, "any"))
    before: list[ir.Stmt] = []
    if isinstance(node, cst.Call):  # d.setdefault(k, v).method(...): the item setdefault returns
        f = cast(cst.Attribute, node.func)
        owner = cast(str, _local(lw, f.value))
        index = _setdefault(
            lw, node, Place(owner, lw.types.get(owner, "any")), Arguments(lw, node, loc), before
        )
    else:
        sub = cast(cst.Subscript, node)
        owner = cast(str, _local(lw, sub.value))
        index = once(lw, cast(cst.Index, sub.slice[0].slice).value, before, loc)
    part = _temp(lw, PART)
    before.append(
        ir.Assign(ir.NameTarget(part), ir.Subscript(ir.Name(owner, lw.types.get(owner, "any")), index), loc)
    )
    return Place(part, "any", owner, index, before)


def _setdefault(
    lw: WorkflowLowerer, call: cst.Call, place: Place, args: Arguments, out: list[ir.Stmt]
) -> ir.Expr:
    """``d.setdefault(k, v)``'s work; the key's expression (the item is ``d[key]``)."""
    loc = args.loc
    args.count("setdefault", 1, 2)
    out += _require(lw, place, "setdefault", loc)
    key = args.value(args.positional[0], out)
    default = args.value(args.positional[1], out) if len(args.positional) > 1 else ir.Const(None, "none")
    missing = ir.Compare(key, ("not in",), (place.ref,))
    out.append(ir.If(missing, (ir.SetItem(place.name, key, default, loc),), (), loc))
    return key


# ------------------------------------------------------------------------------------------ the methods
def _sort(lw: WorkflowLowerer, place: Place, args: Arguments, out: list[ir.Stmt]) -> ir.Expr | None:
    args.count("sort", 0, 0, ("key", "reverse"))
    kwargs = tuple(
        (k, calls.key_function(lw, v) if k == "key" else args.value(v, out)) for k, v in args.keywords
    )
    out.append(_change(place, ir.Call("sorted", (place.ref,), kwargs, "list"), "sort", args.loc))
    return None


def _reverse(lw: WorkflowLowerer, place: Place, args: Arguments, out: list[ir.Stmt]) -> ir.Expr | None:
    args.count("reverse", 0, 0)
    new = ir.Slice(place.ref, None, None, "list", step=ir.Const(-1, "int"))
    out.append(_change(place, new, "reverse", args.loc))
    return None


def _append(lw: WorkflowLowerer, place: Place, args: Arguments, out: list[ir.Stmt]) -> ir.Expr | None:
    method = "append" if args.call.func.attr.value == "append" else "extend"  # type: ignore[attr-defined]
    args.count(method, 1, 1)
    x = args.value(args.positional[0], out)
    new = ir.BinOp("+", ir.Name(place.name, "list"), ir.ListExpr((x,)) if method == "append" else x, "list")
    out.append(_change(place, new, method, args.loc))
    return None


def _insert(lw: WorkflowLowerer, place: Place, args: Arguments, out: list[ir.Stmt]) -> ir.Expr | None:
    args.count("insert", 2, 2)
    i = args.value(args.positional[0], out)
    x = args.value(args.positional[1], out)
    out += _int_index(lw, i, args.loc)
    r = place.ref
    # list.insert clamps its index as a slice does: x[:i] + [x] + x[i:] for any int i
    new = ir.BinOp(
        "+",
        ir.BinOp("+", ir.Slice(r, None, i, "list"), ir.ListExpr((x,)), "list"),
        ir.Slice(r, i, None, "list"),
        "list",
    )
    out.append(_change(place, new, "insert", args.loc))
    return None


def _remove(lw: WorkflowLowerer, place: Place, args: Arguments, out: list[ir.Stmt]) -> ir.Expr | None:
    args.count("remove", 1, 1)
    loc = args.loc
    x = args.value(args.positional[0], out)
    r = place.ref
    missing = ir.Compare(x, ("not in",), (r,))
    out.append(ir.If(missing, (_raise("ValueError", "list.remove(x): x not in list", loc),), (), loc))
    j, y, at = _temp(lw, "j"), _temp(lw, "y"), _temp(lw, "at")
    found = ir.ListComp(
        ir.Name(j, "int"),
        (
            ir.Comprehension(
                ir.TupleTarget((ir.NameTarget(j), ir.NameTarget(y))),
                ir.Call("enumerate", (r,), (), "list"),
                (ir.Compare(ir.Name(y), ("==",), (x,)),),
            ),
        ),
    )
    out.append(ir.Assign(ir.NameTarget(at), ir.Subscript(found, ir.Const(0, "int"), "int"), loc))
    out.append(_change(place, _without(r, ir.Name(at, "int")), "remove", loc))
    return None


def _list_pop(
    lw: WorkflowLowerer, place: Place, index: ir.Expr | None, loc: ir.Loc
) -> tuple[list[ir.Stmt], ir.Expr]:
    out: list[ir.Stmt] = []
    r = place.ref
    i = index if index is not None else ir.Const(-1, "int")
    if index is not None:
        out += _int_index(lw, i, loc)
    empty = ir.Compare(_len(r), ("==",), (ir.Const(0, "int"),))
    out.append(ir.If(empty, (_raise("IndexError", "pop from empty list", loc),), (), loc))
    if index is not None:
        outside = ir.BoolOp(
            "or",
            (
                ir.Compare(i, ("<",), (ir.UnaryOp("-", _len(r), "int"),)),
                ir.Compare(i, (">=",), (_len(r),)),
            ),
            "bool",
        )
        out.append(ir.If(outside, (_raise("IndexError", "pop index out of range", loc),), (), loc))
    v = _temp(lw, "popped")
    out.append(ir.Assign(ir.NameTarget(v), ir.Subscript(r, i), loc))
    out.append(_change(Place(place.name, "list"), _without(r, i), "pop", loc))
    return out, ir.Name(v)


def _dict_pop(
    lw: WorkflowLowerer, place: Place, key: ir.Expr, default: ir.Expr | None, loc: ir.Loc
) -> tuple[list[ir.Stmt], ir.Expr]:
    r = place.ref
    v = _temp(lw, "popped")
    k, kv = _temp(lw, "k"), _temp(lw, "v")
    rest = ir.DictComp(
        ir.Name(k),
        ir.Name(kv),
        (
            ir.Comprehension(
                ir.TupleTarget((ir.NameTarget(k), ir.NameTarget(kv))),
                ir.Call("dict.items", (r,), (), "list"),
                (ir.Compare(ir.Name(k), ("!=",), (key,)),),
            ),
        ),
    )
    take: list[ir.Stmt] = [
        ir.Assign(ir.NameTarget(v), ir.Subscript(r, key), loc),
        _change(Place(place.name, "dict"), rest, "pop", loc),
    ]
    if default is None:  # d[key] raises Python's KeyError when it is missing
        return take, ir.Name(v)
    keep = [ir.Assign(ir.NameTarget(v), default, loc)]
    return [ir.If(ir.Compare(key, ("in",), (r,)), tuple(take), tuple(keep), loc)], ir.Name(v)


def _pop(lw: WorkflowLowerer, place: Place, args: Arguments, out: list[ir.Stmt]) -> ir.Expr | None:
    args.count("pop", 0, 2)
    loc = args.loc
    given = [args.value(a, out) for a in args.positional]
    r = place.ref
    n = len(given)
    if place.ty == "list" or (place.ty != "dict" and n == 0):
        if n > 1:
            out.append(_raise("TypeError", f"pop expected at most 1 argument, got {n}", loc))
            return ir.Const(None, "none")
        if place.ty != "list":  # a dict's pop needs a key
            wrong = _raise("TypeError", "pop expected at least 1 argument, got 0", loc)
            out.append(ir.If(_isnt(lw, r, "list"), (wrong,), (), loc))
        stmts, value = _list_pop(lw, place, given[0] if given else None, loc)
        out += stmts
        return value
    if place.ty == "dict" or n == 2:
        if place.ty != "dict":
            wrong = _raise("TypeError", "pop expected at most 1 argument, got 2", loc)
            out.append(ir.If(_isa(lw, r, "list"), (wrong,), (), loc))
        stmts, value = _dict_pop(lw, place, given[0], given[1] if n == 2 else None, loc)
        out += stmts
        return value
    # one argument, a list or a dict known only at run time: each pops its own way into one temporary
    d_stmts, d_value = _dict_pop(lw, place, given[0], None, loc)
    l_stmts, l_value = _list_pop(lw, place, given[0], loc)
    v = _temp(lw, "popped")
    d_stmts.append(ir.Assign(ir.NameTarget(v), d_value, loc))
    l_stmts.append(ir.Assign(ir.NameTarget(v), l_value, loc))
    out.append(ir.If(_isa(lw, r, "dict"), tuple(d_stmts), tuple(l_stmts), loc))
    return ir.Name(v)


def _clear(lw: WorkflowLowerer, place: Place, args: Arguments, out: list[ir.Stmt]) -> ir.Expr | None:
    args.count("clear", 0, 0)
    loc = args.loc
    as_list = _change(Place(place.name, "list"), ir.ListExpr(()), "clear", loc)
    as_dict = _change(Place(place.name, "dict"), ir.DictExpr((), ()), "clear", loc)
    if place.ty in ("list", "dict"):
        out.append(as_list if place.ty == "list" else as_dict)
    else:
        out.append(ir.If(_isa(lw, place.ref, "list"), (as_list,), (as_dict,), loc))
    return None


def _update(lw: WorkflowLowerer, place: Place, args: Arguments, out: list[ir.Stmt]) -> ir.Expr | None:
    if len(args.positional) > 1:
        args.count("update", 0, 1)

    def items(d: ir.Expr) -> ir.Expr:
        return ir.Call("list", (ir.Call("dict.items", (d,), (), "list"),), (), "list")

    parts: list[ir.Expr] = [items(place.ref)]
    if args.positional:  # dict(other) raises what d.update(other) raises for a value that is no mapping
        other = args.value(args.positional[0], out)
        parts.append(items(ir.Call("dict", (other,), (), "dict")))
    if args.keywords:
        values = [args.value(v, out) for _, v in args.keywords]
        keys = tuple(ir.Const(k, "str") for k, _ in args.keywords)
        parts.append(items(ir.DictExpr(keys, tuple(values))))
    pairs = parts[0]
    for p in parts[1:]:
        pairs = ir.BinOp("+", pairs, p, "list")
    k, v = _temp(lw, "k"), _temp(lw, "v")
    new = ir.DictComp(
        ir.Name(k),
        ir.Name(v),
        (ir.Comprehension(ir.TupleTarget((ir.NameTarget(k), ir.NameTarget(v))), pairs, ()),),
    )
    out.append(_change(Place(place.name, "dict"), new, "update", args.loc))
    return None


def _setdefault_method(
    lw: WorkflowLowerer, place: Place, args: Arguments, out: list[ir.Stmt]
) -> ir.Expr | None:
    key = _setdefault(lw, args.call, place, args, out)
    return ir.Subscript(place.ref, key)


RULES = {
    "sort": _sort,
    "reverse": _reverse,
    "append": _append,
    "extend": _append,
    "insert": _insert,
    "remove": _remove,
    "pop": _pop,
    "clear": _clear,
    "update": _update,
    "setdefault": _setdefault_method,
}


def lower(lw: WorkflowLowerer, call: cst.Call, target: ir.Target | None, loc: ir.Loc) -> list[ir.Stmt]:
    """``recv.method(...)`` (``target = recv.method(...)`` when ``target``): the statements doing its work."""
    f = cast(cst.Attribute, call.func)
    method = f.attr.value
    place = _place(lw, f.value, loc)
    out = list(place.before)
    if method != "setdefault":  # its lookup is checked with its arguments
        out += _require(lw, place, method, loc)
    value = RULES[method](lw, place, Arguments(lw, call, loc), out)
    if place.owner is not None and place.index is not None:
        out.append(ir.SetItem(place.owner, place.index, place.ref, loc))
    if target is not None:
        out.append(ir.Assign(target, value if value is not None else ir.Const(None, "none"), loc))
    return out


# ------------------------------------------------------------------------------------------ items of items
def nested_target(lw: WorkflowLowerer, target: cst.BaseExpression) -> bool:
    """``name[k][j]`` (an item of an item of a local) as an assignment target."""
    return (
        isinstance(target, cst.Subscript)
        and len(target.slice) == 1
        and isinstance(target.slice[0].slice, cst.Index)
        and _item_of_local(lw, target.value)
        and isinstance(target.value, cst.Subscript)
    )


def set_nested(
    lw: WorkflowLowerer,
    target: cst.Subscript,
    value: ir.Expr,
    loc: ir.Loc,
    in_place: bool = False,
    value_first: list[ir.Stmt] | None = None,
) -> list[ir.Stmt]:
    """``name[k][j] = value`` (``value`` already lowered, evaluated first as Python does):
    ``%part = name[k]``, ``%part[j] = value``, ``name[k] = %part``."""
    out = list(value_first or [])
    value = keep(lw, value, out, loc)
    place = _place(lw, target.value, loc)
    out += place.before
    index = once(lw, target.slice[0].slice.value, out, loc)  # type: ignore[attr-defined]
    out.append(ir.SetItem(place.name, index, value, loc, in_place))
    out.append(ir.SetItem(cast(str, place.owner), cast(ir.Expr, place.index), place.ref, loc))
    return out


def delete(lw: WorkflowLowerer, n: cst.Del, loc: ir.Loc) -> list[ir.Stmt]:
    """``del d[k]`` / ``del xs[i]`` (also of an item of a local: ``del d[k][j]``)."""
    t = n.target
    if not (
        isinstance(t, cst.Subscript)
        and len(t.slice) == 1
        and isinstance(t.slice[0].slice, cst.Index)
        and (_local(lw, t.value) is not None or _item_of_local(lw, t.value))
    ):
        lw.error(
            "PFC025",
            n,
            "del is supported on one item of a local list or dict: del d[key], del xs[i], del d[key][i]",
            "assign a new value instead, e.g. d = {k: v for k, v in d.items() if k != key}",
        )
        raise Unsupported
    place = _place(lw, t.value, loc)
    out = list(place.before)
    i = once(lw, t.slice[0].slice.value, out, loc)
    r = place.ref
    as_dict, _ = _dict_pop(lw, place, i, None, loc)
    as_list: list[ir.Stmt] = []
    if i.ty not in ("int", "bool"):
        message = _message(lw, i, "list indices must be integers or slices, not ", "")
        as_list.append(ir.If(_isnt(lw, i, "int", "bool"), (_raise("TypeError", message, loc),), (), loc))
    outside = ir.BoolOp(
        "or",
        (ir.Compare(i, ("<",), (ir.UnaryOp("-", _len(r), "int"),)), ir.Compare(i, (">=",), (_len(r),))),
        "bool",
    )
    as_list.append(
        ir.If(outside, (_raise("IndexError", "list assignment index out of range", loc),), (), loc)
    )
    as_list.append(_change(Place(place.name, "list"), _without(r, i), "pop", loc))
    if place.ty == "dict":
        out += as_dict
    elif place.ty == "list":
        out += as_list
    else:
        str_message = ir.Const("'str' object doesn't support item deletion", "str")
        other = _message(lw, r, "'", "' object does not support item deletion")
        wrong = _raise("TypeError", ir.IfExp(_isa(lw, r, "str"), str_message, other, "str"), loc)
        out.append(
            ir.If(
                _isa(lw, r, "dict"),
                tuple(as_dict),
                (ir.If(_isa(lw, r, "list"), tuple(as_list), (wrong,), loc),),
                loc,
            )
        )
    if place.owner is not None and place.index is not None:
        out.append(ir.SetItem(place.owner, place.index, place.ref, loc))
    return out
