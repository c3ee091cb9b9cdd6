"""Plain helper functions of the project, called from a workflow: inlined at each call.

A helper is an undecorated top-level ``def`` of the workflow's module or of a project module it imports. Its
body is lowered by the same lowerer as the workflow's, in the helper's own module (its names resolve there,
its diagnostics point there and name the call chain), and may do whatever a workflow body may, step calls
included. Each inlined copy gets fresh names (compiler temporaries), so neither the caller's nor another
copy's variables are touched: parameters are bound as Python binds them (positions, keywords, literal
defaults) and returns become assignments (:mod:`.returns`). Recursion cannot be inlined (PFC037); what makes
a def no plain helper, or what Python would do differently once inlined (a shared mutable default changed),
is PFC038."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, cast

import libcst as cst

from .. import ir
from .common import NOT_LITERAL, Unsupported, type_of_value
from .letexpr import NoExpressionForm, expression_of
from .modules import ModuleInfo, Resolved
from .returns import Exit, eliminate, falls_through

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

#: an inlined helper's variable (``%inl3_v_total``), as a message shows it (``total``)
_INLINED_LOCAL = re.compile(re.escape(ir.TEMPORARY) + r"inl\d+_v_(\w+)")


def readable(text: str) -> str:
    """``text`` (a diagnostic's message or hint) with inlined helpers' variables under their own names."""
    return _INLINED_LOCAL.sub(r"\1", text)


#: the string fields of IR nodes that name a variable (besides ``Name.id`` and ``NameTarget.id``)
_NAME_FIELDS = {
    (ir.SetItem, "target"),
    (ir.Handler, "name"),
    (ir.Raise, "error_var"),
    (ir.ErrorField, "name"),
}


@dataclass(frozen=True)
class Helper:
    """A helper's definition as the inliner reads it."""

    key: str  # module.function: unique in the project
    node: cst.FunctionDef
    module: ModuleInfo


def top_level_def(resolved: Resolved | None) -> cst.FunctionDef | None:
    """The top-level ``def`` a resolved function name refers to (the last one, as Python binds it)."""
    if resolved is None or resolved.kind != "function" or resolved.module is None:
        return None
    found: cst.FunctionDef | None = None
    for stmt in resolved.module.module.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == resolved.name:
            found = stmt
    return found


def helper_def(resolved: Resolved | None) -> Helper | None:
    """The helper a resolved name refers to: an undecorated top-level ``def``."""
    found = top_level_def(resolved)
    if found is None or found.decorators or resolved is None or resolved.module is None:
        return None
    return Helper(f"{resolved.module.file.name}.{resolved.name}", found, resolved.module)


def rename(node: Any, names: dict[str, str], loc: ir.Loc | None = None) -> Any:
    """``node`` with every variable in ``names`` renamed (and every location ``loc``, when given)."""
    if isinstance(node, tuple):
        return tuple(rename(x, names, loc) for x in node)
    if isinstance(node, ir.Loc):
        return loc or node
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        new: Any
        if isinstance(value, str):
            named = (type(node), f.name) in _NAME_FIELDS or (
                isinstance(node, (ir.Name, ir.NameTarget)) and f.name == "id"
            )
            new = names.get(value, value) if named else value
        elif isinstance(node, ir.Lambda) and f.name == "params":
            new = tuple(names.get(p, p) for p in value)
        else:
            new = rename(value, names, loc)
        if new is not value:
            changes[f.name] = new
    return dataclasses.replace(node, **changes) if changes else node


def _refuse(lw: WorkflowLowerer, code: str, node: cst.CSTNode, message: str, hint: str) -> NoReturn:
    lw.error(code, node, message, hint)
    raise Unsupported


def _shape(lw: WorkflowLowerer, h: Helper) -> None:
    """PFC038 for a def the inliner cannot give Python's meaning to (reported at the def, in its module)."""
    name = h.node.name.value
    ps = h.node.params
    if h.node.asynchronous is not None:
        _refuse(lw, "PFC038", h.node, f"{name}() is `async def`: calling it makes a coroutine", "write def")
    if isinstance(ps.star_arg, cst.Param) or ps.star_kwarg is not None:
        _refuse(
            lw,
            "PFC038",
            ps.star_kwarg or cast(cst.Param, ps.star_arg),
            f"{name}() takes *args/**kwargs, which the inliner does not bind",
            "declare each parameter by name",
        )

    class Finder(cst.CSTVisitor):
        def __init__(self) -> None:
            self.found: cst.CSTNode | None = None

        def visit_Yield(self, node: cst.Yield) -> None:
            self.found = self.found or node

        def visit_Await(self, node: cst.Await) -> None:
            self.found = self.found or node

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            self.found = self.found or node
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

    finder = Finder()
    h.node.body.visit(finder)
    if isinstance(finder.found, cst.FunctionDef):
        _refuse(
            lw,
            "PFC038",
            finder.found,
            f"{name}() defines a function inside it, which the inliner does not compile",
            "move the inner function to module level (a helper may call other helpers)",
        )
    if finder.found is not None:
        _refuse(
            lw,
            "PFC038",
            finder.found,
            f"{name}() is a generator (it yields): calling it makes a generator object, not its values",
            "build and return a list instead",
        )


def _default(lw: WorkflowLowerer, h: Helper, p: cst.Param) -> ir.Const:
    """A parameter's default, evaluated once when the def runs: a literal or a module-level constant."""
    assert p.default is not None
    value = lw.fe.literal(p.default)
    if value is NOT_LITERAL and isinstance(p.default, cst.Name):
        value = lw.fe.constant(h.module, p.default.value)
    if value is NOT_LITERAL:
        _refuse(
            lw,
            "PFC038",
            p.default,
            f"the default of {p.name.value!r} is not a literal the compiler can read",
            "write a literal (a number, string, bool, None, list or dict), or a module-level constant",
        )
    return ir.Const(value, type_of_value(value))


def _bind(
    lw: WorkflowLowerer, call: cst.Call, h: Helper
) -> tuple[list[tuple[str, cst.BaseExpression | ir.Const]], str | None]:
    """Each parameter and what it is bound to (the call's argument, in the call's order, then the
    defaults), and the parameter that receives the workflow's Context, if one does. Python's TypeErrors
    are PFC027 here."""
    ps = h.node.params
    name = h.node.name.value
    positional = [*ps.posonly_params, *ps.params]
    by_keyword = {p.name.value: p for p in [*ps.params, *ps.kwonly_params]}
    bound: dict[str, cst.BaseExpression] = {}
    order: list[str] = []
    n_pos = 0
    for a in call.args:
        if a.star:
            _refuse(lw, "PFC027", a, f"*args/**kwargs cannot be passed to {name}()", "pass each argument")
        if a.keyword is None:
            if n_pos >= len(positional):
                _refuse(
                    lw,
                    "PFC027",
                    a,
                    f"{name}() takes {len(positional)} positional argument(s): Python raises TypeError",
                    "remove the extra argument",
                )
            p = positional[n_pos].name.value
            n_pos += 1
        else:
            p = a.keyword.value
            if p not in by_keyword:
                _refuse(
                    lw,
                    "PFC027",
                    a,
                    f"{name}() has no parameter {p!r} it takes by keyword: Python raises TypeError",
                    "parameters: " + ", ".join(x.name.value for x in [*positional, *ps.kwonly_params]),
                )
            if p in bound:
                _refuse(lw, "PFC027", a, f"{name}() got {p!r} twice: Python raises TypeError", "pass it once")
        bound[p] = a.value
        order.append(p)
    out: list[tuple[str, cst.BaseExpression | ir.Const]] = [(p, bound[p]) for p in order]
    missing = []
    for param in [*positional, *ps.kwonly_params]:
        if param.name.value in bound:
            continue
        if param.default is None:
            missing.append(param.name.value)
        else:
            with lw.fe.within(h.module):  # read, and reported, in the helper's own module
                out.append((param.name.value, _default(lw, h, param)))
    if missing:
        _refuse(
            lw,
            "PFC027",
            call,
            f"{name}() is missing argument(s): {', '.join(missing)} (Python raises TypeError)",
            "pass " + ", ".join(missing),
        )
    ctx_param = next(
        (p for p, v in out if isinstance(v, cst.Name) and v.value == lw.ctx and v.value not in lw.locals),
        None,
    )
    return out, ctx_param


def _shared_default_changed(body: tuple[ir.Stmt, ...], mutable: dict[str, ir.Const]) -> str | None:
    """The parameter whose list/dict default (one object, shared by every call in Python) the helper may
    change or hand out: anything changed in place in the helper, or a value that may be that object (or,
    for a nested default, a part of it) assigned, returned or iterated over. None proves it is only read."""
    if not mutable:
        return None
    stmts = ir.walk_stmts(body)
    if any(isinstance(s, ir.SetItem) or (isinstance(s, ir.Assign) and s.in_place) for s in stmts):
        return next(iter(mutable))
    for s in stmts:
        values: list[ir.Expr] = []
        if isinstance(s, (ir.Assign, ir.Return)):
            values.append(s.value)
        elif isinstance(s, (ir.StepCall, ir.ChildWorkflowCall)):
            values += [v for _, v in s.args]  # a child workflow shares what it is passed
        if isinstance(s, ir.For):
            values.append(s.iter)
        for p, default in mutable.items():
            nested = any(isinstance(x, (list, dict)) for x in _items(default.value))
            if any(_may_be(v, p, nested or isinstance(s, ir.For)) for v in values):
                return p
    return None


def _may_be(e: ir.Expr, p: str, parts: bool) -> bool:
    """Whether ``e``'s value may be the object ``p`` names (``parts``: or an object inside it)."""
    if isinstance(e, ir.Name):
        return e.id == p
    if isinstance(e, ir.IfExp):
        return _may_be(e.body, p, parts) or _may_be(e.orelse, p, parts)
    if isinstance(e, ir.BoolOp):  # `and`/`or` give an operand
        return any(_may_be(v, p, parts) for v in e.values)
    if isinstance(e, ir.ListExpr):
        return any(_may_be(v, p, parts) for v in e.items)
    if isinstance(e, ir.DictExpr):
        return any(_may_be(v, p, parts) for v in (*e.keys, *e.values))
    if isinstance(e, (ir.Compare, ir.UnaryOp, ir.FString, ir.Const, ir.RunId, ir.ErrorField, ir.IsError)):
        return False
    return parts and p in ir.read_names(e)  # an item, a slice, a call's result may hold the object's parts


def inline(
    lw: WorkflowLowerer, call: cst.Call, h: Helper, target: ir.Target | None, loc: ir.Loc
) -> list[ir.Stmt]:
    """The statements of one call of ``h``: parameters bound, the body, the result into ``target``."""
    name = h.node.name.value
    if h.key in lw.helper_stack:
        chain = " -> ".join(k.rsplit(".", 1)[-1] + "()" for k in (*lw.helper_stack, h.key))
        _refuse(
            lw,
            "PFC037",
            call,
            f"{name}() calls itself ({chain}): a recursive helper cannot be inlined",
            "write the recursion as a loop (a while loop with a list as the stack)",
        )
    with lw.fe.within(h.module):
        _shape(lw, h)
    bindings, ctx_param = _bind(lw, call, h)
    args: list[tuple[str, ir.Expr]] = []
    for p, v in bindings:
        if p == ctx_param:
            continue
        if isinstance(v, cst.BaseExpression):
            from .calls import is_step_like  # the two modules import each other

            if isinstance(v, cst.Call) and is_step_like(lw, v):
                _refuse(
                    lw,
                    "PFC023",
                    v,
                    "a step call cannot be an argument of another call",
                    f"assign it first: `tmp = {lw.fe.code(v)}`",
                )
            args.append((p, lw.expr(v)))
        else:
            args.append((p, v))
    outer_types = lw.types
    site = (*lw.inline_site, id(call), id(h.node))  # a table's call inlines several helpers
    k = lw.inline_ids.setdefault(site, len(lw.inline_ids) + 1)
    caller = lw.fe.path
    note = f"in {name}() called from {lw.caller()} at {caller}:{loc.line}"
    with _helper_scope(lw, h, site, note), lw.fe.within(h.module):
        lw.ctx = ctx_param or ""
        body_nodes = lw.body_statements(h.node.body)
        lw.collect_locals(body_nodes)
        rebound = set(lw.locals)  # the names the body assigns
        lw.locals.update(p for p, _ in bindings if p != ctx_param)
        names = {v: ir.temporary(f"inl{k}_v_{v}") for v in lw.locals}
        # a parameter the body never rebinds, passed a caller's variable, is that variable: the object is
        # shared as Python shares it (a change in place shows to the caller), and no copy is made
        shared = {p: e.id for p, e in args if isinstance(e, ir.Name) and e.ty != "error" and p not in rebound}
        names.update(shared)
        lw.types = {v: outer_types.get(t, "any") for v, t in names.items()}
        body = tuple(lw.lower_body(body_nodes))
        mutable = {
            p: v
            for p, v in bindings
            if isinstance(v, ir.Const) and isinstance(v.value, (list, dict)) and p in names
        }
        changed = _shared_default_changed(body, mutable)
        if changed is not None:
            param = next(
                p for p in [*h.node.params.params, *h.node.params.kwonly_params] if p.name.value == changed
            )
            _refuse(
                lw,
                "PFC038",
                param,
                f"the default of {changed!r} is one list/dict that Python shares between all calls of "
                f"{name}(), and {name}() may change it or hand it out",
                f"write {changed}=None and `if {changed} is None: {changed} = []` in the body",
            )
    ex = Exit(ir.temporary(f"inl{k}_r"), ir.temporary(f"inl{k}_d"))
    home = None if h.module is lw.fe.entry else loc  # another file's lines would point into the workflow's
    straight = eliminate(rename(body, names, home), ex)
    out: list[ir.Stmt] = [ir.Assign(ir.NameTarget(names[p]), v, loc) for p, v in args if p not in shared]
    if target is not None and falls_through(body):  # a path may end without `return`: the result is None
        out.append(ir.Assign(ir.NameTarget(ex.result), ir.Const(None, "none"), loc))
    out += straight
    if target is not None:
        out.append(ir.Assign(target, ir.Name(ex.result, lw.types.get(ex.result, "any")), loc))
    return out


@contextlib.contextmanager
def _helper_scope(lw: WorkflowLowerer, h: Helper, site: tuple[int, ...], note: str) -> Iterator[None]:
    """The lowerer's per-body state, fresh for the helper's body and restored after it."""
    saved = {a: getattr(lw, a) for a in _BODY_STATE}
    lw.info = h.module
    lw.locals, lw.types, lw.error_vars = set(), {}, set()
    lw.loop_depth = lw.finally_depth = 0
    lw.nested_defs, lw.handler_vars, lw.step_failures_only = {}, [], {}
    lw.helper_stack = (*lw.helper_stack, h.key)
    lw.inline_site = site
    lw.chain = (note, *lw.chain)
    try:
        yield
    finally:
        for a, v in saved.items():
            setattr(lw, a, v)


_BODY_STATE = (
    "info",
    "ctx",
    "locals",
    "types",
    "error_vars",
    "loop_depth",
    "finally_depth",
    "nested_defs",
    "handler_vars",
    "step_failures_only",
    "helper_stack",
    "inline_site",
    "chain",
)


def inline_value(lw: WorkflowLowerer, call: cst.Call, h: Helper) -> ir.Expr:
    """A call of ``h`` inside an expression: its inlined statements as one expression (:mod:`.letexpr`)."""
    loc = lw.fe.pos(call)
    stmts = inline(lw, call, h, ir.NameTarget(ir.temporary("value")), loc)  # that Assign is dropped
    last = stmts[-1]
    assert isinstance(last, ir.Assign)
    try:
        return expression_of(stmts[:-1], last.value, lw.types)
    except NoExpressionForm as e:
        name = h.node.name.value
        _refuse(
            lw,
            "PFC023",
            call,
            f"{name}() cannot be called inside an expression: {e}, which only a statement can run",
            f"call it as a statement of its own first: `result = {lw.fe.code(call)}`",
        )


def _items(value: Any) -> list[Any]:
    return list(value.values()) if isinstance(value, dict) else list(value)
