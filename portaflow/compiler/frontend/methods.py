"""Methods of workflow values: ``str.``/``dict.`` methods and ``ctx.now()``'s ``.timestamp()`` and
``.isoformat()`` as catalogue calls; for a method that changes its receiver in place (``.sort()``,
``.update()``, ...) the statements that do its work instead (PFC024)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn, cast

import libcst as cst

from .. import catalog, ir
from . import calls, datetimes
from .common import DATETIME_METHODS, DICT_METHODS, LIST_MUTATORS, STR_METHODS, Unsupported, names_in

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer


def method_call(
    lw: WorkflowLowerer,
    n: cst.Call,
    f: cst.Attribute,
    args: list[ir.Expr],
    kwargs: list[tuple[str, ir.Expr]],
) -> ir.Expr:
    """``value.method(args)`` in an expression, its arguments lowered."""
    method = f.attr.value
    from . import mutations

    if mutations.is_mutation(lw, n) and method not in LIST_MUTATORS:
        lw.error(
            "PFC090",
            n,
            f"`{lw.fe.code(n)}` changes {lw.fe.code(f.value)} in place: it can be a statement, or the "
            "whole value of an assignment or of a return, not a part of an expression",
            f"call it first: `value = {lw.fe.code(n)}`, then use `value`",
        )
        raise Unsupported
    recv = lw.expr(f.value)
    if method in LIST_MUTATORS:
        lw.error(
            "PFC023",
            n,
            f".{method}() returns None and must be a statement",
            f"write `{lw.fe.code(f.value)}.{method}(...)` on its own line",
        )
        raise Unsupported
    # while drafting, variables are not typed yet: a method only a datetime has is taken as the datetime's
    # (so the draft keeps the statement, and the inference sees what it assigns); the final lowering checks
    drafted = lw.drafting and recv.ty == "any" and method in DATETIME_METHODS
    if recv.ty == "timedelta" or (
        lw.drafting and recv.ty == "any" and method in datetimes.METHODS["timedelta"]
    ):
        return datetimes.timedelta_method(lw, n, recv, method, args, kwargs)
    if recv.ty == "datetime" or lw.is_now(f.value) or drafted:
        if method not in DATETIME_METHODS:
            lw.error(
                "PFC024",
                n,
                f"method .{method}() of ctx.now() is not supported" + datetimes.why_not(method),
                datetimes.supported("datetime"),
            )
            raise Unsupported
        args, _ = calls.check_arguments(lw, n, f"datetime.{method}", args, kwargs)
        if method == "strftime":
            datetimes.check_strftime(lw, n, args)
        return ir.Call(f"datetime.{method}", (recv, *args), (), DATETIME_METHODS[method])
    if method in STR_METHODS and recv.ty in ("str", "any"):
        args, kwargs = calls.check_arguments(lw, n, f"str.{method}", args, kwargs)
        if method in ("startswith", "endswith") and args[0].ty == "list":
            lw.error(
                "PFC024",
                n,
                f"{lw.fe.code(f)}() of a tuple of "
                f"{'prefixes' if method == 'startswith' else 'suffixes'} is not supported",
                f"test each: s.{method}(a) or s.{method}(b)",
            )
            raise Unsupported
        ty = catalog.CATALOG[f"str.{method}"].result_type(args)
        return ir.Call(f"str.{method}", (recv, *args), (), ty)
    if method in DICT_METHODS and recv.ty in ("dict", "any"):
        args, kwargs = calls.check_arguments(lw, n, f"dict.{method}", args, kwargs)
        ty = catalog.CATALOG[f"dict.{method}"].result_type(args)
        return ir.Call(f"dict.{method}", (recv, *args), (), ty)
    lw.error(
        "PFC024",
        f,
        f"method .{method}() is not supported on {recv.ty if recv.ty != 'any' else 'this value'}",
        supported_methods(""),
    )
    raise Unsupported


def value_receiver(lw: WorkflowLowerer, node: cst.BaseExpression) -> bool:
    """Whether ``node`` is a workflow value whose method a statement calls: a local (or an item of one),
    a string literal, ``ctx.now()``."""
    if lw.is_now(node) or isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    while isinstance(node, (cst.Subscript, cst.Attribute)):
        node = node.value
    return isinstance(node, cst.Name) and node.value in lw.locals


def method_statement(lw: WorkflowLowerer, call: cst.Call, func: cst.Attribute) -> NoReturn:
    """``value.method(...)`` as a statement, not ``xs.append/extend`` of a local list: a method that
    only computes a value is PFC020 (the statement discards it); any other is PFC024, with the
    statements that do its work (values are copied on the targets, so a method cannot change one in
    place)."""
    method = func.attr.value
    recv = func.value
    is_now = lw.is_now(recv)
    ty = lw.types.get(recv.value, "any") if isinstance(recv, cst.Name) else "any"
    if isinstance(recv, (cst.SimpleString, cst.ConcatenatedString)):
        ty = "str"
    pure = (
        (is_now and method in DATETIME_METHODS)
        or (not is_now and method in STR_METHODS and ty in ("str", "any"))
        or (not is_now and method in DICT_METHODS and ty in ("dict", "any"))
    )
    if pure:
        calls.value_call(lw, call)  # a diagnostic of its arguments first
        text = lw.fe.code(call)
        # a string method's result usually replaces the string (`name.strip()` meant in place)
        store = recv.value if isinstance(recv, cst.Name) and method in STR_METHODS else "value"
        lw.error(
            "PFC020",
            call,
            f"`{text}` computes a new value, which this statement discards",
            f"assign it: `{store} = {text}`",
        )
        raise Unsupported
    message = (
        f"method .{method}() is not supported on {ty if ty in ('list', 'dict', 'str') else 'this value'}"
    )
    instead = instead_of_method(lw, call, func, ty)
    if method in LIST_MUTATORS:
        message = (
            f"`{lw.fe.code(func)}()` changes a value inside another in place: .{method}() is "
            "supported on a local list variable only"
        )
    hint = instead or supported_methods(" on a local list")
    lw.error("PFC024", call, message, hint)
    raise Unsupported


def instead_of_method(lw: WorkflowLowerer, call: cst.Call, func: cst.Attribute, ty: ir.Type) -> str:
    """What to write for ``recv.method(...)`` that changes ``recv`` in place (list.sort, dict.update,
    ...), as statements that rebind it or set one item (``name[key] = v``); "" when there is none."""
    recv = func.value
    r = lw.fe.code(recv)
    method = func.attr.value
    if any(a.star for a in call.args):
        return ""
    if isinstance(recv, cst.Name):
        assignable = True
    else:
        assignable = (
            isinstance(recv, cst.Subscript)
            and isinstance(recv.value, cst.Name)
            and len(recv.slice) == 1
            and isinstance(recv.slice[0].slice, cst.Index)
        )
    if not assignable:
        if method in LIST_MUTATORS or method in catalog.IN_PLACE_REFUSED:
            return (
                "only a name or name[key] can be assigned: rebuild the outer value (a dict "
                f"comprehension, a list + list) with the new {r} in it, and assign that"
            )
        return ""
    taken = {x.value for x in names_in(call)} | lw.locals
    before: list[str] = []

    def fresh(*names: str) -> str:
        for name in (*names, *(f"{names[0]}{i}" for i in range(2, 100))):
            if name not in taken:
                taken.add(name)
                return name
        raise AssertionError("unreachable")

    def text(node: cst.BaseExpression) -> str:
        if isinstance(node, cst.Call) and calls.is_step_like(lw, node):
            tmp = fresh("value", "result")  # a step call is a statement of its own
            before.append(f"{tmp} = {lw.fe.code(node)}")
            return tmp
        return lw.fe.code(node)

    pos = [text(a.value) for a in call.args if a.keyword is None]
    kws = [(a.keyword.value, text(a.value)) for a in call.args if a.keyword is not None]
    out: list[str] = []
    if method == "sort" and not pos and {k for k, _ in kws} <= {"key", "reverse"}:
        out.append(f"{r} = sorted({', '.join([r, *(f'{k}={v}' for k, v in kws)])})")
    elif method == "reverse" and not pos and not kws:
        i = fresh("i", "j", "n")
        out.append(f"{r} = [{r}[-1 - {i}] for {i} in range(len({r}))]")
    elif method == "insert" and len(pos) == 2 and not kws:
        at, x = pos
        out.append(f"{r} = [{x}] + {r}" if at == "0" else f"{r} = {r}[:{at}] + [{x}] + {r}[{at}:]")
    elif method in LIST_MUTATORS and len(pos) == 1 and not kws:
        out.append(f"{r} = {r} + [{pos[0]}]" if method == "append" else f"{r} = {r} + {pos[0]}")
    elif method == "update" and isinstance(recv, cst.Name) and len(pos) <= 1:
        arg = call.args[0].value if pos and call.args[0].keyword is None else None
        sets: list[str] = []
        if isinstance(arg, cst.Dict) and all(isinstance(e, cst.DictElement) for e in arg.elements):
            for e in arg.elements:
                de = cast(cst.DictElement, e)
                sets.append(f"{r}[{lw.fe.code(de.key)}] = {text(de.value)}")
        elif pos:
            k, v = fresh("k", "key"), fresh("v", "value")
            before.append(f"for {k}, {v} in {pos[0]}.items(): {r}[{k}] = {v}")
        sets += [f'{r}["{k}"] = {v}' for k, v in kws]
        if sets:
            out.append("; ".join(sets))
        elif before:
            out.append(before.pop())
    elif method == "clear" and not pos and not kws:
        if ty != "list":
            out.append(f"{r} = {{}}")
        if ty != "dict":
            out.append(f"{r} = []")
    elif method == "remove" and len(pos) == 1 and not kws:
        v = fresh("v", "item", "x")
        out.append(f"{r} = [{v} for {v} in {r} if {v} != {pos[0]}]")
    elif method == "pop" and len(pos) <= 2 and not kws:
        if ty != "list" and pos:
            k, v = fresh("k", "key"), fresh("v", "value")
            out.append(f"{r} = {{{k}: {v} for {k}, {v} in {r}.items() if {k} != {pos[0]}}}")
        if ty != "dict" and len(pos) <= 1:
            at = pos[0] if pos else "-1"
            if at in ("-1", "0"):
                out.append(f"{r} = {r}[:-1]" if at == "-1" else f"{r} = {r}[1:]")
            else:
                out.append(f"{r} = {r}[:{at}] + {r}[{at}:][1:]")
    elif method == "setdefault" and isinstance(recv, cst.Name) and 1 <= len(pos) <= 2 and not kws:
        default = pos[1] if len(pos) > 1 else "None"
        out.append(f"if {pos[0]} not in {r}: {r}[{pos[0]}] = {default}")
    if not out:
        return ""
    steps = "".join(f"`{b}`, then " for b in before)
    if len(out) == 1:
        return f"write {steps}`{out[0]}`{METHOD_NOTES.get(method, '')}"
    kinds = ("a dict", "a list") if method in ("clear", "pop") and ty == "any" else ("", "")
    forms = " or ".join(f"`{o}` for {kind}" if kind else f"`{o}`" for o, kind in zip(out, kinds, strict=True))
    return f"write {steps}{forms}{METHOD_NOTES.get(method, '')}"


def supported_methods(where_lists: str) -> str:
    """The hint naming every method a workflow may call (the catalogue's)."""
    return (
        f"supported: dict.{'/'.join(DICT_METHODS)}, list.{'/'.join(sorted(LIST_MUTATORS))}{where_lists}, "
        f"str.{'/'.join(sorted(STR_METHODS))}"
    )


# where instead_of_method's suggestion for a method of catalog.IN_PLACE_REFUSED differs from the method
# beyond changing in place
METHOD_NOTES = {
    "remove": " (this drops every equal item; .remove() drops the first, and raises ValueError if none)",
    "pop": " (unlike .pop(), this does not raise when the item is missing)",
}
