"""Methods of workflow values: ``str.``/``dict.`` methods and ``ctx.now()``'s ``.timestamp()`` and
``.isoformat()`` as catalogue calls; PFC024 for a method that changes in place a receiver the compiler
does not lower it on (an item of an item: frontend/mutations.py lowers the others), with what to write."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

import libcst as cst

from .. import catalog, ir
from . import calls, datetimes
from .common import DATETIME_METHODS, DICT_METHODS, LIST_MUTATORS, STR_METHODS, Unsupported

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
    """What to write for ``recv.method(...)`` that changes ``recv`` in place where the compiler does not
    lower it (frontend/mutations.py lowers it on a local and on an item of a local): "" when there is
    nothing better than the supported methods' list."""
    method = func.attr.value
    if any(a.star for a in call.args) or isinstance(func.value, cst.Name):
        return ""
    if method in LIST_MUTATORS or method in catalog.IN_PLACE_REFUSED:
        r = lw.fe.code(func.value)
        return (
            f"take the inner value into a local first (inner = {r}), change it, and store it back, "
            f"or rebuild the outer value with the new {r} in it"
        )
    return ""


def supported_methods(where_lists: str) -> str:
    """The hint naming every method a workflow may call (the catalogue's)."""
    return (
        f"supported: dict.{'/'.join(DICT_METHODS)}, list.{'/'.join(sorted(LIST_MUTATORS))}{where_lists}, "
        f"str.{'/'.join(sorted(STR_METHODS))}"
    )
