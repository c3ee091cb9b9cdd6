"""Expressions: one function per kind of expression, found through :data:`EXPRESSIONS` by the node's type,
each returning the IR expression with its static type (``any`` when it is known only at run time)."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import libcst as cst

from .. import ir
from ..ir import types
from . import assignments, calls, childruns, datetimes, formatting, sets, tables, unpacking
from .common import (
    BINARY_OPS,
    BUILTINS_SUPPORTED,
    NOT_LITERAL,
    Unsupported,
    type_of_value,
)

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

Rule = Callable[["WorkflowLowerer", Any], ir.Expr]


def literal(
    lw: WorkflowLowerer, n: cst.Integer | cst.Float | cst.SimpleString | cst.ConcatenatedString
) -> ir.Expr:
    if isinstance(n, cst.ConcatenatedString) and any(
        isinstance(p, cst.FormattedString) for p in (n.left, n.right)
    ):
        left = lw.expr(n.left)
        right = lw.expr(n.right)
        return ir.BinOp("+", str_of(lw, left), str_of(lw, right), "str")
    v = lw.fe.literal(n)
    if v is NOT_LITERAL or isinstance(v, bytes):
        lw.error("PFC021", n, "bytes literals are not JSON values", "use a str")
        raise Unsupported
    return ir.Const(v, type_of_value(v))


def name(lw: WorkflowLowerer, n: cst.Name) -> ir.Expr:
    """A local, ``True``/``False``/``None``, a module-level literal constant; PFC026 for an unknown name."""
    if n.value in ("True", "False", "None"):
        v = {"True": True, "False": False, "None": None}[n.value]
        return ir.Const(v, type_of_value(v))
    if n.value in lw.handles:
        return childruns.handle_as_value(lw, n)
    if n.value in lw.locals:
        return ir.Name(n.value, lw.types.get(n.value, "any") if n.value not in lw.error_vars else "error")
    v = lw.fe.constant(lw.info, n.value) if n.value != lw.ctx else NOT_LITERAL
    if v is not NOT_LITERAL:
        return ir.Const(v, type_of_value(v))
    if n.value == lw.ctx:
        lw.error(
            "PFC021",
            n,
            "the Context cannot be used as a value",
            "call its methods (ctx.now(), ctx.sleep(...)) or read ctx.run_id",
        )
        raise Unsupported
    constant = datetimes.module_constant(lw, n) if n.value not in lw.locals else None
    if constant is not None:
        return constant
    named = calls.callee_of(lw, n)
    if named is not None and named.kind in ("step", "workflow"):
        lw.error("PFC021", n, f"{n.value!r} cannot be used as a value", f"call it: {n.value}(...)")
        raise Unsupported
    if named is not None and named.kind == "table":
        return tables.table_value(lw, n, named)
    if named is not None:
        tables.not_a_value(lw, n, named)
    if named is None and hasattr(builtins, n.value) and not n.value.startswith("_"):
        # sorted(xs, key=len), map(str, xs), isinstance(s, str): a builtin is only ever called
        how = (
            f"write key=lambda x: {n.value}(x) for sorted/min/max, [{n.value}(x) for x in xs] for map"
            if n.value in BUILTINS_SUPPORTED
            else f"call it in a @step (lambda x: {n.value}(x) is not supported in a workflow)"
        )
        lw.error(
            "PFC021",
            n,
            f"the builtin {n.value!r} can only be called in a workflow, not used as a value",
            how,
        )
        raise Unsupported
    lw.error(
        "PFC026",
        n,
        f"name {n.value!r} is not defined in the workflow",
        "assign it in the workflow, take it as a parameter, or make it a module-level literal constant",
    )
    raise Unsupported


def attribute(lw: WorkflowLowerer, n: cst.Attribute) -> ir.Expr:
    """``ctx.run_id`` and the fields of a caught error (``e.message``, ``type(e).__name__``); JSON values
    have no other attributes."""
    if isinstance(n.value, cst.Name) and n.value.value == lw.ctx and n.attr.value == "run_id":
        return ir.RunId()
    if isinstance(n.value, cst.Name) and n.value.value in lw.handles:
        return childruns.handle_attribute(lw, n)
    if (
        n.attr.value == "__name__"
        and isinstance(n.value, cst.Call)
        and isinstance(n.value.func, cst.Name)
        and n.value.func.value == "type"
        and len(n.value.args) == 1
        and isinstance(n.value.args[0].value, cst.Name)
        and n.value.args[0].value.value in lw.error_vars
    ):
        return ir.ErrorField(n.value.args[0].value.value, "type")
    if (
        isinstance(n.value, cst.Name)
        and n.value.value in lw.error_vars
        and n.attr.value in ("type", "message", "step", "attempts")
    ):
        field_types: dict[str, ir.Type] = {"attempts": "any", "step": "any"}
        fty = field_types.get(n.attr.value, "str")
        event_field = n.attr.value in ("type", "message") and lw.event_failures_only.get(n.value.value, False)
        only = (
            not lw.step_failures_only.get(n.value.value, False)
            and not event_field
            and n.attr.value not in lw.fe.exception_attributes()
        )
        return ir.ErrorField(n.value.value, cast(Any, n.attr.value), fty, only)
    timed = datetimes.attribute(lw, n)
    if timed is not None:
        return timed
    if (
        isinstance(n.value, cst.Name)
        and n.value.value in lw.locals
        and n.value.value != lw.ctx
        and n.attr.value in ("type", "message", "step", "attempts")
    ):  # a variable's StepFailed among a fan-out's outcomes; AttributeError on anything else
        fty = "str" if n.attr.value in ("type", "message") else "any"
        return ir.ErrorField(n.value.value, cast(Any, n.attr.value), fty, True, any_value=True)
    lw.error(
        "PFC021",
        n,
        f"attribute access `{lw.fe.code(n)}` is not supported",
        'JSON values have no attributes: index dicts with d["key"]',
    )
    raise Unsupported


def subscript(lw: WorkflowLowerer, n: cst.Subscript) -> ir.Expr:
    if len(n.slice) != 1:
        lw.error("PFC021", n, "multi-dimensional subscripts are not supported", "index one level at a time")
        raise Unsupported
    sl = n.slice[0].slice
    value = lw.expr(n.value)
    if isinstance(sl, cst.Index):
        return ir.Subscript(value, lw.expr(sl.value), types.subscript_type(value.ty))
    if isinstance(sl, cst.Slice):
        lower = lw.expr(sl.lower) if sl.lower is not None else None
        upper = lw.expr(sl.upper) if sl.upper is not None else None
        step = lw.expr(sl.step) if sl.step is not None else None
        return ir.Slice(value, lower, upper, types.slice_type(value.ty), step)
    return unsupported(lw, n)


def binary(lw: WorkflowLowerer, n: cst.BinaryOperation) -> ir.Expr:
    op = lw.arith_operator(n.operator, BINARY_OPS)
    left = lw.expr(n.left)
    right = lw.expr(n.right)
    return binop(lw, cast(ir.BinOpName, op), left, right, n)


def unary(lw: WorkflowLowerer, n: cst.UnaryOperation) -> ir.Expr:
    operand = lw.expr(n.expression)
    if isinstance(n.operator, cst.Not):
        return ir.UnaryOp("not", operand, "bool")
    if isinstance(n.operator, cst.Minus):
        if isinstance(operand, ir.Const) and operand.ty in ("int", "float"):
            return ir.Const(-operand.value, operand.ty)
        return ir.UnaryOp("-", operand, types.unary_type("-", operand.ty))
    if isinstance(n.operator, cst.Plus):
        return ir.UnaryOp("+", operand, types.unary_type("+", operand.ty))
    lw.error("PFC021", n.operator, "bitwise ~ is not supported", "use arithmetic")
    raise Unsupported


def boolean(lw: WorkflowLowerer, n: cst.BooleanOperation) -> ir.Expr:
    """``and``/``or`` chains flattened: they return an operand, short-circuiting."""
    vals: list[ir.Expr] = []
    opname = "and" if isinstance(n.operator, cst.And) else "or"

    def flatten(x: cst.BaseExpression) -> None:
        if (
            isinstance(x, cst.BooleanOperation)
            and not x.lpar
            and ("and" if isinstance(x.operator, cst.And) else "or") == opname
        ):
            flatten(x.left)
            flatten(x.right)
        else:
            vals.append(lw.expr(x))

    flatten(n.left)
    flatten(n.right)
    return ir.BoolOp(cast(Any, opname), tuple(vals), types.same_or_any(v.ty for v in vals))


def comparison(lw: WorkflowLowerer, n: cst.Comparison) -> ir.Expr:
    opmap: dict[type, str] = {
        cst.Equal: "==",
        cst.NotEqual: "!=",
        cst.LessThan: "<",
        cst.LessThanEqual: "<=",
        cst.GreaterThan: ">",
        cst.GreaterThanEqual: ">=",
        cst.In: "in",
        cst.NotIn: "not in",
        cst.Is: "is",
        cst.IsNot: "is not",
    }
    left = lw.expr(n.left)
    cops: list[str] = []
    comps: list[ir.Expr] = []
    for c in n.comparisons:
        op = opmap.get(type(c.operator), "?")
        comp = lw.expr(c.comparator)
        if op in ("is", "is not") and not (
            (isinstance(comp, ir.Const) and comp.value is None)
            or (isinstance(comp, ir.Const) and isinstance(comp.value, bool))
        ):
            lw.error(
                "PFC021",
                c,
                "`is` is only supported with None, True or False",
                "use == to compare values",
            )
        cops.append(op)
        comps.append(comp)
    return ir.Compare(left, tuple(cast(Any, cops)), tuple(comps), "bool")


def if_exp(lw: WorkflowLowerer, n: cst.IfExp) -> ir.Expr:
    test = lw.expr(n.test)
    body = lw.expr(n.body)
    orelse = lw.expr(n.orelse)
    return ir.IfExp(test, body, orelse, types.same_or_any((body.ty, orelse.ty)))


def sequence(lw: WorkflowLowerer, n: cst.List | cst.Tuple) -> ir.Expr:
    """A list or tuple display: a JSON array."""
    if any(isinstance(el, cst.StarredElement) for el in n.elements):
        return unpacking.starred_list(lw, n)
    return ir.ListExpr(tuple(lw.expr(el.value) for el in n.elements))


def dict_(lw: WorkflowLowerer, n: cst.Dict) -> ir.Expr:
    if not all(isinstance(de, cst.DictElement) for de in n.elements):
        return unpacking.merged_dict(lw, n)
    keys, values = [], []
    for de in n.elements:
        assert isinstance(de, cst.DictElement)
        k = lw.expr(de.key)
        if k.ty not in ("str", "any"):
            lw.error("PFC021", de.key, "dict keys must be strings (JSON objects)", "use str keys")
        keys.append(k)
        values.append(lw.expr(de.value))
    return ir.DictExpr(tuple(keys), tuple(values))


def list_comp(lw: WorkflowLowerer, n: cst.ListComp | cst.GeneratorExp | cst.SetComp) -> ir.Expr:
    """A list comprehension, or a generator expression (consumed where it is written)."""
    gens, scope = comprehension(lw, n.for_in)
    try:
        elt = lw.expr(n.elt)
    finally:
        lw.pop_scope(scope)
    return ir.ListComp(elt, gens, generator=isinstance(n, cst.GeneratorExp))


def generator(lw: WorkflowLowerer, n: cst.GeneratorExp) -> ir.Expr:
    """A generator expression anywhere but as a call's argument: a generator object, which its first use
    consumes (``g = (...); sum(g); sum(g)`` gives 0 the second time). No target has generator objects, so
    such a value is refused rather than made a list that every use would see again."""
    lw.error(
        "PFC021",
        n,
        "a generator expression is only supported as the argument of the call that consumes it: stored or "
        "returned, it is a generator that its first use empties",
        "pass it straight to the call (sum(x * 2 for x in xs)), or write a list comprehension [...] to keep "
        "the values",
    )
    raise Unsupported


def dict_comp(lw: WorkflowLowerer, n: cst.DictComp) -> ir.Expr:
    gens, scope = comprehension(lw, n.for_in)
    try:
        k = lw.expr(n.key)
        v = lw.expr(n.value)
    finally:
        lw.pop_scope(scope)
    return ir.DictComp(k, v, gens)


def lambda_(lw: WorkflowLowerer, n: cst.Lambda) -> ir.Expr:
    lw.error(
        "PFC021",
        n,
        "a lambda is only supported as key= of sorted/min/max or as a ctx.parallel branch",
        "use a comprehension",
    )
    raise Unsupported


def str_of(lw: WorkflowLowerer, e: ir.Expr) -> ir.Expr:
    if e.ty == "str":
        return e
    return ir.Call("str", (e,), (), "str")


def binop(
    lw: WorkflowLowerer, op: ir.BinOpName, left: ir.Expr, right: ir.Expr, node: cst.CSTNode | None = None
) -> ir.BinOp:
    if op == "%" and left.ty == "str" and node is not None:
        lw.error("PFC021", node, "%-formatting is not supported", "use an f-string")
    datetimes.check_binop(lw, op, left, right, node)
    return ir.BinOp(op, left, right, types.binop_type(op, left.ty, right.ty))


def comprehension(
    lw: WorkflowLowerer, for_in: cst.CompFor
) -> tuple[tuple[ir.Comprehension, ...], dict[str, tuple[bool, ir.Type | None]]]:
    lw.hoist = None  # a ctx call inside a comprehension would run once per element: refused
    gens: list[ir.Comprehension] = []
    scope: dict[str, tuple[bool, ir.Type | None]] = {}
    node: cst.CompFor | None = for_in
    while node is not None:
        if node.asynchronous is not None:
            lw.error("PFC021", node, "async comprehensions are not supported", "use a plain one")
        it = lw.expr(node.iter)
        target = assignments.assign_target(lw, node.target)

        def bind(t: ir.Target, ty: ir.Type) -> None:
            if isinstance(t, ir.NameTarget):
                if t.id not in scope:
                    scope[t.id] = (t.id in lw.locals, lw.types.get(t.id))
                lw.locals.add(t.id)
                lw.types[t.id] = ty
            else:
                for e in t.elts:
                    bind(e, "any")

        bind(target, types.elem_type(it))
        ifs = tuple(lw.expr(c.test) for c in node.ifs)
        gens.append(ir.Comprehension(target, it, ifs))
        node = node.inner_for_in
    return tuple(gens), scope


def fstring(lw: WorkflowLowerer, n: cst.FormattedString) -> ir.FString:
    prefix = n.start[:-1].lower().replace("f", "")
    quote = n.start[-1]
    parts: list[ir.Const | ir.FormattedValue] = []
    for p in n.parts:
        if isinstance(p, cst.FormattedStringText):
            raw = p.value.replace("{{", "{").replace("}}", "}")
            q = quote * 3 if n.end == quote * 3 else quote
            try:
                text = ast.literal_eval(prefix + q + raw + q)
            except (ValueError, SyntaxError):
                text = raw
            parts.append(ir.Const(text, "str"))
        else:
            p = cast(cst.FormattedStringExpression, p)
            spec = formatting.field_spec(lw, p)
            if p.equal is not None:
                lw.error("PFC021", p, "f-string `=` is not supported", "write the label yourself")
            conv = p.conversion or ""
            if conv not in ("", "s", "r"):
                lw.error("PFC021", p, f"conversion !{conv} is not supported", "use !r or !s")
                conv = ""
            value = lw.expr(p.expression)
            timed = datetimes.formatted(lw, p, value, conv, spec)
            if timed is not None:  # a datetime's spec is its strftime format
                parts.append(timed)
                continue
            if not formatting.check(lw, p, value, conv, spec):
                spec = ""
            parts.append(ir.FormattedValue(value, cast(Any, conv), spec))
    return ir.FString(tuple(parts))


def _refused(word: str) -> Rule:
    """An expression no workflow may contain: PFC021 naming it."""

    def refuse(lw: WorkflowLowerer, n: cst.BaseExpression) -> ir.Expr:
        verb = "are" if word.endswith("s") else "is"
        lw.error(
            "PFC021",
            n,
            f"{word} {verb} not supported in a workflow",
            "use lists, dicts and plain assignments (JSON values)",
        )
        raise Unsupported

    return refuse


def unsupported(lw: WorkflowLowerer, n: cst.BaseExpression) -> ir.Expr:
    """Any expression the table does not name."""
    lw.error("PFC021", n, f"expression `{lw.fe.code(n)}` is not supported", "see docs/dsl.md")
    raise Unsupported


EXPRESSIONS: dict[type[cst.CSTNode], Rule] = {
    **dict.fromkeys((cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString), literal),
    cst.Name: name,
    cst.Attribute: attribute,
    cst.Subscript: subscript,
    cst.BinaryOperation: binary,
    cst.UnaryOperation: unary,
    cst.BooleanOperation: boolean,
    cst.Comparison: comparison,
    cst.IfExp: if_exp,
    cst.FormattedString: fstring,
    cst.List: sequence,
    cst.Tuple: sequence,
    cst.Dict: dict_,
    cst.ListComp: list_comp,
    cst.GeneratorExp: generator,
    cst.DictComp: dict_comp,
    cst.Call: calls.call_expr,
    cst.Lambda: lambda_,
    cst.Set: sets.display,
    cst.SetComp: sets.comprehension,
    cst.NamedExpr: _refused("`:=`"),
    cst.Await: _refused("await"),
    cst.Yield: _refused("yield"),
    cst.Ellipsis: _refused("`...`"),
}
