"""Datetime arithmetic on ``ctx.now()``: ``timedelta(...)`` from the standard library, the attributes and
methods of datetimes and timedeltas, and the operator mixes Python refuses (docs/dsl.md "Dates and times").

The values are the IR types ``datetime`` and ``timedelta`` (docs/ir.md); the arithmetic's result types are
:data:`..ir.types.TIME_ARITHMETIC`. What is refused here is refused on every target, with Python's reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from .. import catalog, ir
from . import calls
from .common import NOT_LITERAL, Unsupported
from .modules import ModuleInfo

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

TIME_TYPES = ("datetime", "timedelta")
# the attributes and methods of each, from the catalogue (docs/dsl.md lists them)
ATTRIBUTES: dict[str, dict[str, ir.Type]] = {
    ty: {b.method: b.result for b in catalog.ROWS if b.receiver == ty and b.attribute} for ty in TIME_TYPES
}
METHODS: dict[str, dict[str, ir.Type]] = {
    ty: {b.method: b.result for b in catalog.ROWS if b.receiver == ty and not b.attribute}
    for ty in TIME_TYPES
}
_WHOLE = ("int", "bool")


def supported(ty: str) -> str:
    """The hint naming what a ``ty`` value has."""
    attrs = ", ".join(f".{a}" for a in ATTRIBUTES[ty])
    methods = ", ".join(f".{m}()" for m in METHODS[ty])
    extra = (
        "; subtract two datetimes for a timedelta, add a timedelta(...) for a later datetime"
        if ty == "datetime"
        else "; add, subtract, compare timedeltas, multiply or divide by a number"
    )
    return f"a {ty} has {attrs} and {methods}{extra}"


# why a datetime method a workflow may reach for has no lowering (the hint then lists what there is)
_NO_VALUE = "a value no target has"
WHY_NOT: dict[str, str] = {
    "date": f"it gives a datetime.date, {_NO_VALUE}: t.strftime('%Y-%m-%d') is its text, t.year, t.month "
    "and t.day its fields",
    "time": f"it gives a datetime.time, {_NO_VALUE}: t.strftime('%H:%M:%S') is its text",
    "astimezone": "ctx.now() is UTC on every target, and time zones are not compiled: convert in a @step",
    "replace": "a datetime of chosen fields is not lowered yet: add or subtract a timedelta(...)",
}


def why_not(method: str) -> str:
    """The end of the refusal of ``t.<method>()``: why, or that it is an attribute."""
    if method in ATTRIBUTES["datetime"]:
        return " (an attribute: write it without ())"
    return f": {WHY_NOT[method]}" if method in WHY_NOT else ""


def is_timedelta_class(lw: WorkflowLowerer, f: cst.BaseExpression) -> bool:
    """``timedelta`` (``from datetime import timedelta [as x]``) or ``datetime.timedelta`` (``import
    datetime``), bound at module level and not shadowed by a local."""
    root = f
    while isinstance(root, cst.Attribute):
        root = root.value
    if not isinstance(root, cst.Name) or root.value in lw.locals or root.value == lw.ctx:
        return False
    return _module_timedelta(lw.info, f)


def _module_timedelta(info: ModuleInfo, f: cst.BaseExpression) -> bool:
    """Whether ``f`` names datetime's timedelta through the module's top-level imports."""
    root = f
    while isinstance(root, cst.Attribute):
        root = root.value
    if not isinstance(root, cst.Name):
        return False
    binding = info.bindings.get(root.value)
    if binding is None or binding.level != 0:
        return False
    if isinstance(f, cst.Name):
        return binding.module == "datetime" and binding.attr == "timedelta"
    return (
        isinstance(f, cst.Attribute)
        and isinstance(f.value, cst.Name)
        and f.attr.value == "timedelta"
        and binding.module == "datetime"
        and binding.attr is None
    )


def constructor(
    lw: WorkflowLowerer, n: cst.Call, args: list[ir.Expr], kwargs: list[tuple[str, ir.Expr]]
) -> ir.Call:
    """``timedelta(...)``: all seven parameters positional (0 where not given), each a whole number (a
    float's fractions of a microsecond are summed and rounded by CPython in an order no target repeats)."""
    names = catalog.CATALOG["timedelta"].signature.by_name
    given: dict[str, ir.Expr] = dict(zip(names, args, strict=False))
    usage = f"write {catalog.CATALOG['timedelta'].signature.usage}"
    if len(args) > len(names):
        lw.error("PFC021", n, f"timedelta() takes at most 7 arguments ({len(args)} given)", usage)
        raise Unsupported
    for name, value in kwargs:
        why = "has no keyword argument" if name not in names else "got twice the argument"
        if name not in names or name in given:
            lw.error("PFC021", n, f"timedelta() {why} {name}=: Python raises TypeError", usage)
            raise Unsupported
        given[name] = value
    for name, value in given.items():
        if value.ty not in _WHOLE:
            what = "a float" if value.ty == "float" else "a value not known to be an int"
            lw.error(
                "PFC021",
                n,
                f"timedelta({name}=...) of {what} is not supported: Python rounds the fractions of all "
                "the arguments together to a microsecond, which the targets do not repeat",
                "give whole numbers, in a smaller unit where needed (timedelta(minutes=90), not "
                "hours=1.5); int(x) makes a number whole",
            )
            raise Unsupported
    zero = ir.Const(0, "int")
    return ir.Call("timedelta", tuple(given.get(name, zero) for name in names), (), "timedelta")


def module_constant(lw: WorkflowLowerer, n: cst.Name) -> ir.Call | None:
    """A module-level ``SLA = timedelta(hours=4)`` of the workflow's module, or imported from another module
    of the project (``from .config import SLA``), its arguments int literals (or literal int constants),
    read where a workflow names it; None for any other name."""
    found = _timedelta_constant(lw, lw.info, n.value)
    if found is None and n.value in lw.info.bindings:
        where = lw.fe.resolve_name(lw.info, n.value)
        if where is not None and where.kind == "value" and where.module is not None:
            found = _timedelta_constant(lw, where.module, where.name)
    return found


def _timedelta_constant(lw: WorkflowLowerer, info: ModuleInfo, name: str) -> ir.Call | None:
    """``name = timedelta(...)`` of int literals at the top level of ``info``'s module, as a Call."""
    found = [
        small.value
        for stmt in info.module.body
        if isinstance(stmt, cst.SimpleStatementLine)
        for small in stmt.body
        if isinstance(small, cst.Assign)
        and any(isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets)
    ]
    if len(found) != 1 or not isinstance(found[0], cst.Call) or not _module_timedelta(info, found[0].func):
        return None
    call = found[0]
    names = catalog.CATALOG["timedelta"].signature.by_name
    given: dict[str, int] = {}
    for i, arg in enumerate(call.args):
        value = lw.fe.literal(arg.value)
        if isinstance(arg.value, cst.Name) and value is NOT_LITERAL:
            value = lw.fe.constant(info, arg.value.value)
        key = arg.keyword.value if arg.keyword is not None else (names[i] if i < len(names) else "")
        if arg.star or not isinstance(value, int) or key not in names or key in given:
            return None  # not a whole-number literal timedelta: the name stays undefined (PFC026)
        given[key] = value
    return ir.Call("timedelta", tuple(ir.Const(given.get(k, 0), "int") for k in names), (), "timedelta")


# strftime's directives that CPython (with glibc's C locale) writes alike on every target for a UTC time
STRFTIME_DIRECTIVES = frozenset("YmdHMSfybBaAjpIzZ%")


def check_strftime(lw: WorkflowLowerer, n: cst.CSTNode, args: list[ir.Expr]) -> None:
    """``t.strftime(format)``: the format a string literal of :data:`STRFTIME_DIRECTIVES` only (another
    directive is the C library's, which the targets do not share)."""
    fmt = args[0] if args else None
    text = fmt.value if isinstance(fmt, ir.Const) and isinstance(fmt.value, str) else None
    bad = _bad_directive(text) if text is not None else "a format that is not a string literal"
    if bad is None:
        return
    listed = " ".join(f"%{d}" for d in sorted(STRFTIME_DIRECTIVES))
    lw.error(
        "PFC024",
        n,
        f"t.strftime() with {bad} is not supported: it is the C library's, which the targets do not share",
        f"write the format as a string literal of {listed}; format other fields in a @step",
    )
    raise Unsupported


def formatted(
    lw: WorkflowLowerer, p: cst.FormattedStringExpression, value: ir.Expr, conversion: str, spec: str
) -> ir.FormattedValue | None:
    """``f"{t:%Y-%m-%d}"``: a datetime's format spec is its strftime format (datetime.__format__), lowered as
    ``t.strftime(...)``; None for any other field (the f-string's own rules apply)."""
    if value.ty != "datetime" or conversion or not spec or "%" not in spec:
        return None
    fmt: list[ir.Expr] = [ir.Const(spec, "str")]
    check_strftime(lw, p, fmt)
    return ir.FormattedValue(ir.Call("datetime.strftime", (value, *fmt), (), "str"), "", "")


def _bad_directive(text: str) -> str | None:
    i = 0
    while i < len(text):
        if text[i] == "%":
            if i + 1 >= len(text) or text[i + 1] not in STRFTIME_DIRECTIVES:
                return f"the directive {text[i : i + 2]!r}"
            i += 1
        i += 1
    return None


def receiver_type(lw: WorkflowLowerer, recv: ir.Expr, name: str, table: dict[str, dict[str, ir.Type]]) -> str:
    """The datetime or timedelta type ``recv`` has for ``name`` (while drafting, a value of a type not
    known yet is taken as the one type having ``name``); "" when it is neither."""
    if recv.ty in TIME_TYPES:
        return recv.ty
    if lw.drafting and recv.ty == "any":
        owners = [ty for ty in TIME_TYPES if name in table[ty]]
        return owners[0] if len(owners) == 1 else ""
    return ""


def attribute(lw: WorkflowLowerer, n: cst.Attribute) -> ir.Expr | None:
    """``t.year`` / ``td.days``... of a datetime or timedelta; None when ``n``'s receiver is not one (a
    module-level name is not lowered: it is not a workflow value)."""
    if isinstance(n.value, cst.Name) and n.value.value not in lw.locals:
        return None
    recv = lw.expr(n.value)
    ty = receiver_type(lw, recv, n.attr.value, ATTRIBUTES)
    if not ty:
        return None
    attr = n.attr.value
    if attr not in ATTRIBUTES[ty]:
        method = " (a method: call it)" if attr in METHODS[ty] else ""
        lw.error("PFC021", n, f"a {ty} has no attribute .{attr} here{method}", supported(ty))
        raise Unsupported
    return ir.Call(f"{ty}.{attr}", (recv,), (), ATTRIBUTES[ty][attr])


def timedelta_method(
    lw: WorkflowLowerer,
    n: cst.Call,
    recv: ir.Expr,
    name: str,
    args: list[ir.Expr],
    kw: list[tuple[str, ir.Expr]],
) -> ir.Call:
    """``td.total_seconds()`` of a timedelta (or, while drafting, of a value whose type is not known yet)."""
    ty = "timedelta"
    if name not in METHODS[ty]:
        attr = " (an attribute: write it without ())" if name in ATTRIBUTES[ty] else ""
        lw.error("PFC024", n, f"method .{name}() of a {ty} is not supported{attr}", supported(ty))
        raise Unsupported
    calls.check_arguments(lw, n, f"{ty}.{name}", args, kw)
    return ir.Call(f"{ty}.{name}", (recv,), (), METHODS[ty][name])


def check_binop(
    lw: WorkflowLowerer, op: str, left: ir.Expr, right: ir.Expr, node: cst.CSTNode | None
) -> None:
    """PFC021 for ``left op right`` of a datetime or timedelta with a value of a known type Python refuses
    it for (``t + t``, ``td + 1``: TypeError), so no target need raise it."""
    from ..ir.types import TIME_ARITHMETIC

    lt, rt = ("int" if t == "bool" else t for t in (left.ty, right.ty))
    if node is None or not {lt, rt} & set(TIME_TYPES) or "any" in (lt, rt):
        return
    if (op, lt, rt) in TIME_ARITHMETIC:
        return
    names = {"datetime": "datetime.datetime", "timedelta": "datetime.timedelta"}
    lw.error(
        "PFC021",
        node,
        f"{lw.fe.code(node)}: {names.get(lt, lt)} {op} {names.get(rt, rt)} raises TypeError in Python",
        "datetime - datetime is a timedelta; datetime ± timedelta a datetime; timedeltas add, subtract, "
        "divide, and multiply by numbers",
    )
    raise Unsupported
