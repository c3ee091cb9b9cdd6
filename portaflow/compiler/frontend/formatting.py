"""Format specs: the spec of an f-string field, ``format(x, spec)`` and ``"template".format(...)``, all three
lowered to an :class:`ir.FString` whose fields carry a spec :mod:`..formatspec` accepts for the field's type.

A spec Python rejects for the field's static type is refused (PFC028, with Python's message); one it
rejects only for some run-time types is kept, and the target raises Python's exception for those
(``formatspec.errors``). Specs are static: a nested field (``{x:{width}}``) is refused.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any, NoReturn, cast

import libcst as cst

from .. import formatspec, ir
from ..ir.raises import may_raise
from .common import Unsupported

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

# the Python type a value of each static IR type has ("any": known at run time only)
TYPE_NAMES: dict[str, str] = {
    "int": "int",
    "bool": "bool",
    "float": "float",
    "str": "str",
    "none": "NoneType",
    "list": "list",
    "dict": "dict",
}
# the types no target formats, and (why, what to write instead)
_REFUSED_TYPES = {
    "n": (
        "it formats with the host's locale, which the targets do not share (in the C locale it is d for "
        "an int, g for a float)",
        'write f"{x:d}" (f"{x:,d}" to group the digits) or f"{x:g}"',
    ),
}
_INSTEAD = 'see docs/dsl.md, "Format specs": e.g. f"{x:>10,.2f}", f"{n:08x}", f"{name:<12}"'


def check(lw: WorkflowLowerer, node: cst.CSTNode, value: ir.Expr, conversion: str, spec: str) -> bool:
    """Whether ``spec`` may format ``value`` (after ``conversion``); else reports why and returns False."""
    if not spec:
        return True
    try:
        parsed = formatspec.parse(spec)
    except formatspec.SpecError as exc:
        name = TYPE_NAMES.get("str" if conversion else value.ty)
        message = exc.message(name) if name else exc.template.replace(" for object of type '{type}'", "")
        lw.error("PFC028", node, f"format spec {spec!r}: Python raises ValueError: {message}", _INSTEAD)
        return False
    if parsed.type in _REFUSED_TYPES:
        lw.error(
            "PFC021",
            node,
            f"format type {parsed.type!r} is not supported: {_REFUSED_TYPES[parsed.type][0]}",
            _REFUSED_TYPES[parsed.type][1],
        )
        return False
    ty = "str" if conversion else value.ty
    if ty in ("datetime", "error"):
        what = "ctx.now()'s datetime (a strftime pattern)" if ty == "datetime" else "an exception"
        lw.error(
            "PFC021",
            node,
            f"a format spec of {what} is not supported",
            "format its text: str(e) or t.isoformat(), then the spec",
        )
        return False
    name = TYPE_NAMES.get(ty)
    err = formatspec.python_error(spec, name) if name else None
    if err is not None:
        lw.error("PFC028", node, f"format spec {spec!r}: Python raises {err[0]}: {err[1]}", _INSTEAD)
        return False
    return True


def field_spec(lw: WorkflowLowerer, p: cst.FormattedStringExpression) -> str:
    """The static text of an f-string field's spec; PFC021 for a nested field."""
    if not p.format_spec:
        return ""
    texts = [x for x in p.format_spec if isinstance(x, cst.FormattedStringText)]
    if len(texts) != len(p.format_spec):
        lw.error(
            "PFC021",
            p,
            "a format spec with a nested field ({width}) is not supported: specs are static",
            'write the width into the spec (f"{x:>10}"), or pad with str methods: str(x).rjust(width)',
        )
        raise Unsupported
    return "".join(x.value for x in texts)


def is_format_call(lw: WorkflowLowerer, n: cst.Call) -> bool:
    """``format(...)`` (the builtin), or ``.format(...)`` of a string literal or of a module-level str
    constant (``TEMPLATE = "{:>8}|{:<4}"``)."""
    f = n.func
    if isinstance(f, cst.Name):
        return f.value == "format" and "format" not in lw.locals and lw.fe.resolve(lw.info, f) is None
    if not (isinstance(f, cst.Attribute) and f.attr.value == "format"):
        return False
    if isinstance(f.value, cst.Name):
        name = f.value.value
        return name not in lw.locals and isinstance(lw.fe.constant(lw.info, name), str)
    return isinstance(f.value, (cst.SimpleString, cst.ConcatenatedString))


def format_call(lw: WorkflowLowerer, n: cst.Call) -> ir.Expr:
    if any(a.star for a in n.args):
        lw.error("PFC021", n, "*args and **kwargs are not supported in a format call", "pass each argument")
        raise Unsupported
    if isinstance(n.func, cst.Name):
        return _builtin(lw, n)
    return _method(lw, n, cast(cst.Attribute, n.func))


def _static_text(lw: WorkflowLowerer, node: cst.BaseExpression, what: str) -> str:
    e = lw.expr(node)
    if not (isinstance(e, ir.Const) and isinstance(e.value, str)):
        lw.error(
            "PFC021",
            node,
            f"{what} must be a string literal (or a module-level constant): specs are static",
            "write the spec in the call: format(x, '>10.2f')",
        )
        raise Unsupported
    return e.value


def _builtin(lw: WorkflowLowerer, n: cst.Call) -> ir.Expr:
    """``format(value)`` or ``format(value, spec)``: Python's ``f"{value:spec}"``."""
    if any(a.keyword is not None for a in n.args) or not 1 <= len(n.args) <= 2:
        count = len(n.args)
        why = (
            "format() takes no keyword arguments"
            if any(a.keyword is not None for a in n.args)
            else f"format expected at {'least 1 argument' if count < 1 else 'most 2 arguments'}, got {count}"
        )
        lw.error("PFC021", n, f"{why}: Python raises TypeError", "write format(value, spec) or format(value)")
        raise Unsupported
    value = lw.expr(n.args[0].value)
    spec = _static_text(lw, n.args[1].value, "the spec of format()") if len(n.args) == 2 else ""
    if not check(lw, n, value, "", spec):
        raise Unsupported
    return ir.FString((ir.FormattedValue(value, "", spec),))


def _method(lw: WorkflowLowerer, n: cst.Call, f: cst.Attribute) -> ir.Expr:
    """``"template".format(*args, **kwargs)`` with a static template: its fields in order."""
    template = _static_text(lw, f.value, "the template of str.format()")
    try:
        pieces = list(string.Formatter().parse(template))
    except ValueError as exc:
        lw.error("PFC028", f.value, f"str.format() template: Python raises ValueError: {exc}", _INSTEAD)
        raise Unsupported from None
    order: list[str] = []  # the arguments, as Python evaluates them (in the call's order)
    values: dict[str, ir.Expr] = {}
    positional = 0
    for a in n.args:
        key = a.keyword.value if a.keyword is not None else str(positional)
        positional += a.keyword is None
        order.append(key)
        values[key] = lw.expr(a.value)
    parts: list[ir.Const | ir.FormattedValue] = []
    auto: int | None = None  # the next automatic field number; None: not numbered automatically yet
    manual = False
    for literal, field, spec, conv in pieces:
        if literal:
            parts.append(ir.Const(literal, "str"))
        if field is None:
            continue
        spec = spec or ""
        if field == "":
            if manual:
                _python_raises(lw, n, "ValueError", "cannot switch from manual field specification to "
                               "automatic field numbering")  # fmt: skip
            auto = 0 if auto is None else auto
            key, auto = str(auto), auto + 1
        else:
            if auto is not None and field.isdigit():
                _python_raises(lw, n, "ValueError", "cannot switch from automatic field numbering to "
                               "manual field specification")  # fmt: skip
            manual = manual or field.isdigit()
            key = str(int(field)) if field.isdigit() else field
        if not (key.isdigit() or key.isidentifier()):
            lw.error(
                "PFC021",
                n,
                f"field {{{field}}}: attribute and item fields are not supported",
                "pass the item itself: '{}'.format(d['k'])",
            )
            raise Unsupported
        if key not in values:
            if key.isdigit():
                message = f"Replacement index {key} out of range for positional args tuple"
                _python_raises(lw, n, "IndexError", message)
            _python_raises(lw, n, "KeyError", repr(key))
        if "{" in spec:
            lw.error("PFC021", n, "a format spec with a nested field is not supported: specs are static",
                     "write the width into the spec: '{:>10}'")  # fmt: skip
            raise Unsupported
        if conv not in (None, "r", "s"):
            lw.error("PFC021", n, f"conversion !{conv} is not supported", "use !r or !s")
            raise Unsupported
        if not check(lw, n, values[key], conv or "", spec):
            raise Unsupported
        parts.append(ir.FormattedValue(values[key], cast(Any, conv or ""), spec))
    _check_order(lw, n, order, values, [p for p in parts if isinstance(p, ir.FormattedValue)])
    return ir.FString(tuple(parts))


def _python_raises(lw: WorkflowLowerer, n: cst.Call, exc: str, message: str) -> NoReturn:
    lw.error("PFC028", n, f"str.format(): Python raises {exc}: {message}", _INSTEAD)
    raise Unsupported


def _check_order(
    lw: WorkflowLowerer,
    n: cst.Call,
    order: list[str],
    values: dict[str, ir.Expr],
    fields: list[ir.FormattedValue],
) -> None:
    """Python evaluates every argument, in the call's order, before it formats a field; the FString evaluates
    each field's value as it formats it. They raise the same exception when the arguments that may raise are
    first used in the call's order, each before any field whose formatting may raise (and each is used)."""
    raising = [k for k in order if may_raise(values[k])]
    seen: list[str] = []
    formats_raised = False
    for fv in fields:
        key = next(k for k in order if values[k] is fv.value)
        if key in raising and key not in seen:
            if formats_raised:
                break
            seen.append(key)
        formats_raised = formats_raised or (fv.conversion == "" and fv.spec != "" and fv.value.ty == "any")
    if seen != raising:
        lw.error(
            "PFC021",
            n,
            "this str.format() call would evaluate its arguments in another order than Python (which "
            "evaluates them all first), and an exception could differ",
            "assign the arguments that may raise to variables first, or write an f-string",
        )
        raise Unsupported
