"""IR -> the Python of a Durable Functions orchestrator, as :mod:`ast` nodes (``ast.unparse`` writes them).

The target is Python, so an expression is written as the Python it came from and keeps Python's semantics
by construction (values, exceptions and their messages, references: an ``in_place`` change is made in
place). What differs is the durable part: every step call, timer, event wait, child workflow, map and
parallel becomes ``yield from`` a method of the shipped runtime's ``Run`` (``portaflow_azure_runtime``), which
numbers the calls as the local engine does. One function per construct, found through dispatch tables.

Names: a user's name is kept, unless it starts with ``_pf`` (the prefix of every name the generated code
adds), which gets ``_pfu`` in front; compiler temporaries (``%ret``) become ``_pf_t_ret``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from typing import Any

from portaflow.compiler import catalog, ir

RUN = "_pf_run"
SCOPE = "_pf_scope"
RT = "_pf_rt"
JSON = "_pf_json"


def name_of(name: str) -> str:
    if ir.is_temporary(name):
        return "_pf_t_" + name[len(ir.TEMPORARY) :]
    if name.startswith("_pf"):
        return "_pfu" + name
    return name


def workflow_function(key: str) -> str:
    return "_pf_wf_" + key.replace(".", "_")


def _load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def _store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store())


def _attr(value: ast.expr, attr: str) -> ast.Attribute:
    return ast.Attribute(value=value, attr=attr, ctx=ast.Load())


def _call(
    func: ast.expr, args: Sequence[ast.expr] = (), kwargs: Sequence[tuple[str, ast.expr]] = ()
) -> ast.Call:
    return ast.Call(func=func, args=list(args), keywords=[ast.keyword(arg=k, value=v) for k, v in kwargs])


def _run_call(method: str, *args: ast.expr) -> ast.expr:
    """``yield from _pf_run.method(_pf_scope, *args)``."""
    return ast.YieldFrom(value=_call(_attr(_load(RUN), method), [_load(SCOPE), *args]))


def _with_failures(call: ast.expr, s: ir.MapCall | ir.ParallelCall) -> ast.expr:
    """A fan-out's failure policy (docs/semantics.md, "Partial failure") as the runtime's ``failures=``
    keyword: ``(return_exceptions, tolerated_failures, tolerated_failure_percentage)``; absent by default."""
    policy = (s.return_exceptions, s.tolerated_failures, s.tolerated_failure_percentage)
    if policy != (False, None, None):
        assert isinstance(call, ast.YieldFrom) and isinstance(call.value, ast.Call)
        value = ast.Tuple(elts=[ast.Constant(value=v) for v in policy], ctx=ast.Load())
        call.value.keywords.append(ast.keyword(arg="failures", value=value))
    return call


def const(value: Any) -> ast.expr:
    """A JSON value as a literal."""
    if isinstance(value, list):
        return ast.List(elts=[const(v) for v in value], ctx=ast.Load())
    if isinstance(value, dict):
        return ast.Dict(keys=[const(k) for k in value], values=[const(v) for v in value.values()])
    return ast.Constant(value=value)


# ------------------------------------------------------------------------------------------- expressions
_BINOPS: dict[str, type[ast.operator]] = {
    "+": ast.Add,
    "-": ast.Sub,
    "*": ast.Mult,
    "/": ast.Div,
    "//": ast.FloorDiv,
    "%": ast.Mod,
    "**": ast.Pow,
}
_CMPOPS: dict[str, type[ast.cmpop]] = {
    "==": ast.Eq,
    "!=": ast.NotEq,
    "<": ast.Lt,
    "<=": ast.LtE,
    ">": ast.Gt,
    ">=": ast.GtE,
    "in": ast.In,
    "not in": ast.NotIn,
    "is": ast.Is,
    "is not": ast.IsNot,
}
_UNARY: dict[str, type[ast.unaryop]] = {"-": ast.USub, "+": ast.UAdd, "not": ast.Not}
_CONVERSIONS = {"": -1, "s": ord("s"), "r": ord("r")}
_PRIMITIVES = {"now": "ctx_now", "uuid4": "uuid4", "random": "random"}  # the runtime's Run methods
# the runtime imports datetime's timedelta, so the app's imports stay the same for every workflow
_MODULE_FUNCTIONS = {
    "json.dumps": (JSON, "dumps"),
    "json.loads": (JSON, "loads"),
    "timedelta": (RT, "timedelta"),
}


def target(t: ir.Target, ctx: type[ast.expr_context] = ast.Store) -> ast.expr:
    if isinstance(t, ir.NameTarget):
        return ast.Name(id=name_of(t.id), ctx=ctx())
    return ast.Tuple(elts=[target(e, ctx) for e in t.elts], ctx=ctx())


def _e_const(e: ir.Const) -> ast.expr:
    return const(e.value)


def _e_name(e: ir.Name) -> ast.expr:
    return _load(name_of(e.id))


def _e_run_id(e: ir.RunId) -> ast.expr:
    return _attr(_load(RUN), "run_id")


def _e_patched(e: ir.Patched) -> ast.expr:
    return _call(_attr(_load(RUN), "patched"), [ast.Constant(value=e.change_id)])


def _e_list(e: ir.ListExpr) -> ast.expr:
    return ast.List(elts=[expr(i) for i in e.items], ctx=ast.Load())


def _e_dict(e: ir.DictExpr) -> ast.expr:
    return ast.Dict(keys=[expr(k) for k in e.keys], values=[expr(v) for v in e.values])


def _e_subscript(e: ir.Subscript) -> ast.expr:
    return ast.Subscript(value=expr(e.value), slice=expr(e.index), ctx=ast.Load())


def _e_slice(e: ir.Slice) -> ast.expr:
    s = ast.Slice(
        lower=None if e.lower is None else expr(e.lower),
        upper=None if e.upper is None else expr(e.upper),
        step=None if e.step is None else expr(e.step),
    )
    return ast.Subscript(value=expr(e.value), slice=s, ctx=ast.Load())


def _e_binop(e: ir.BinOp) -> ast.expr:
    return ast.BinOp(left=expr(e.left), op=_BINOPS[e.op](), right=expr(e.right))


def _e_unary(e: ir.UnaryOp) -> ast.expr:
    return ast.UnaryOp(op=_UNARY[e.op](), operand=expr(e.operand))


def _e_boolop(e: ir.BoolOp) -> ast.expr:
    return ast.BoolOp(op=ast.And() if e.op == "and" else ast.Or(), values=[expr(v) for v in e.values])


def _e_compare(e: ir.Compare) -> ast.expr:
    return ast.Compare(
        left=expr(e.left), ops=[_CMPOPS[o]() for o in e.ops], comparators=[expr(c) for c in e.comparators]
    )


def _e_ifexp(e: ir.IfExp) -> ast.expr:
    return ast.IfExp(test=expr(e.test), body=expr(e.body), orelse=expr(e.orelse))


def _e_fstring(e: ir.FString) -> ast.expr:
    parts: list[ast.expr] = []
    for p in e.parts:
        if isinstance(p, ir.Const):
            parts.append(ast.Constant(value=str(p.value)))
            continue
        spec = ast.JoinedStr(values=_spec_parts(p.spec)) if p.spec else None
        parts.append(
            ast.FormattedValue(value=expr(p.value), conversion=_CONVERSIONS[p.conversion], format_spec=spec)
        )
    return ast.JoinedStr(values=parts)


def _spec_parts(spec: str) -> list[ast.expr]:
    """A spec's text as an f-string's: a brace (a fill character, ``format(x, "{>5")``) cannot be written
    literally there, so it is a nested field of that constant (``f"{x:{'{'}>5}"``)."""
    parts: list[ast.expr] = []
    for piece in re.split(r"([{}])", spec):
        if piece in ("{", "}"):
            parts.append(ast.FormattedValue(value=ast.Constant(value=piece), conversion=-1, format_spec=None))
        elif piece:
            parts.append(ast.Constant(value=piece))
    return parts


def _e_call(e: ir.Call) -> ast.expr:
    if e.func == "isinstance":  # (x, Const([class names]), Const(tuple line)): Python's own test
        value, classes = e.args[0], e.args[1]
        assert isinstance(classes, ir.Const)
        types = ast.Tuple(elts=[_load(c) for c in classes.value], ctx=ast.Load())
        return _call(_load("isinstance"), [expr(value), types], [])
    if e.func == "set":  # (items, Const(tuple line)): Python's set of the items
        return _call(_load("set"), [expr(a) for a in e.args[:1]], [])
    if e.func == "type.__name__":
        return _attr(_call(_load("type"), [expr(e.args[0])], []), "__name__")
    kwargs = [(k, expr(v)) for k, v in e.kwargs]
    if e.func in _MODULE_FUNCTIONS:
        module, fn = _MODULE_FUNCTIONS[e.func]
        return _call(_attr(_load(module), fn), [expr(a) for a in e.args], kwargs)
    if "." in e.func:  # a method: the receiver is the first argument; Python dispatches on its type
        method = e.func.split(".", 1)[1]
        receiver, *rest = e.args
        row = catalog.lookup(e.func)
        if row is not None and row.attribute:  # td.days, t.year: read, not called
            return _attr(expr(receiver), method)
        return _call(_attr(expr(receiver), method), [expr(a) for a in rest], kwargs)
    return _call(_load(e.func), [expr(a) for a in e.args], kwargs)


def _e_lambda(e: ir.Lambda) -> ast.expr:
    args = ast.arguments(
        posonlyargs=[],
        args=[ast.arg(arg=name_of(p)) for p in e.params],
        kwonlyargs=[],
        kw_defaults=[],
        defaults=[],
    )
    return ast.Lambda(args=args, body=expr(e.body))


def _generators(gens: Sequence[ir.Comprehension]) -> list[ast.comprehension]:
    return [
        ast.comprehension(
            target=target(g.target), iter=expr(g.iter), ifs=[expr(i) for i in g.ifs], is_async=0
        )
        for g in gens
    ]


def _e_listcomp(e: ir.ListComp) -> ast.expr:
    make = ast.GeneratorExp if e.generator else ast.ListComp  # any(...) stops at the deciding item
    return make(elt=expr(e.elt), generators=_generators(e.generators))


def _e_dictcomp(e: ir.DictComp) -> ast.expr:
    return ast.DictComp(key=expr(e.key), value=expr(e.value), generators=_generators(e.generators))


def _e_error_field(e: ir.ErrorField) -> ast.expr:
    if (
        e.step_failure_only
    ):  # written as an attribute only a StepFailed has: Python's AttributeError elsewhere
        return _attr(_load(name_of(e.name)), e.field)
    return _call(_attr(_load(RT), "error_field"), [_load(name_of(e.name)), ast.Constant(value=e.field)])


def _e_is_error(e: ir.IsError) -> ast.expr:
    names = [ast.Constant(value=n) for n in e.types], [ast.Constant(value=n) for n in e.matches]
    return _call(
        _attr(_load(RT), "is_error"),
        [expr(e.value), *(ast.Tuple(elts=list(x), ctx=ast.Load()) for x in names), ast.Constant(e.catch_all)],
    )


_EXPRESSIONS: dict[type[Any], Callable[[Any], ast.expr]] = {
    ir.Const: _e_const,
    ir.Name: _e_name,
    ir.RunId: _e_run_id,
    ir.Patched: _e_patched,
    ir.ListExpr: _e_list,
    ir.DictExpr: _e_dict,
    ir.Subscript: _e_subscript,
    ir.Slice: _e_slice,
    ir.BinOp: _e_binop,
    ir.UnaryOp: _e_unary,
    ir.BoolOp: _e_boolop,
    ir.Compare: _e_compare,
    ir.IfExp: _e_ifexp,
    ir.FString: _e_fstring,
    ir.Call: _e_call,
    ir.Lambda: _e_lambda,
    ir.ListComp: _e_listcomp,
    ir.DictComp: _e_dictcomp,
    ir.ErrorField: _e_error_field,
    ir.IsError: _e_is_error,
}


def expr(e: ir.Expr) -> ast.expr:
    return _EXPRESSIONS[type(e)](e)


# -------------------------------------------------------------------------------------------- statements
class Lowerer:
    """Statements of one workflow: ``branches`` numbers the nested functions of ``ctx.parallel``."""

    def __init__(self, program: ir.Program) -> None:
        self.program = program
        self.branches = 0
        self._table: dict[type[Any], Callable[[Any], list[ast.stmt]]] = {
            ir.Assign: self._assign,
            ir.SetItem: self._set_item,
            ir.StepCall: self._step_call,
            ir.ChildWorkflowCall: self._child_call,
            ir.StartWorkflow: self._start_workflow,
            ir.MapCall: self._map,
            ir.ParallelCall: self._parallel,
            ir.Sleep: self._sleep,
            ir.WaitForEvent: self._wait,
            ir.Primitive: self._primitive,
            ir.Log: self._log,
            ir.If: self._if,
            ir.While: self._while,
            ir.For: self._for,
            ir.Break: lambda s: [ast.Break()],
            ir.Continue: lambda s: [ast.Continue()],
            ir.Try: self._try,
            ir.Raise: self._raise,
            ir.Return: lambda s: [ast.Return(value=expr(s.value))],
        }

    def body(self, stmts: Sequence[ir.Stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for s in stmts:
            out += self._table[type(s)](s)
        return out or [ast.Pass()]

    @staticmethod
    def _bind(t: ir.Target | None, value: ast.expr) -> list[ast.stmt]:
        if t is None:
            return [ast.Expr(value=value)]
        return [ast.Assign(targets=[target(t)], value=value)]

    # ----- assignments
    def _assign(self, s: ir.Assign) -> list[ast.stmt]:
        if s.in_place and s.method not in ("", "append", "extend") and isinstance(s.target, ir.NameTarget):
            # xs.sort(), d.update(...)...: the receiver's object takes its new contents (IR version 7), a
            # list's by a slice assignment, a dict's cleared and updated from the new value computed first
            own = name_of(s.target.id)
            if s.value.ty == "list":
                whole = ast.Subscript(value=_load(own), slice=ast.Slice(), ctx=ast.Store())
                return [ast.Assign(targets=[whole], value=expr(s.value))]
            new = "_pf_new"
            return [
                ast.Assign(targets=[_store(new)], value=expr(s.value)),
                ast.Expr(value=_call(_attr(_load(own), "clear"), [], [])),
                ast.Expr(value=_call(_attr(_load(own), "update"), [_load(new)], [])),
            ]
        if s.in_place and isinstance(s.value, ir.BinOp) and isinstance(s.target, ir.NameTarget):
            # xs.append(v) / xs.extend(v) / xs += v / xs *= n: change the list itself, as Python does
            rhs = s.value.right
            name = _load(name_of(s.target.id))
            if s.method == "append" and isinstance(rhs, ir.ListExpr) and len(rhs.items) == 1:
                return [ast.Expr(value=_call(_attr(name, "append"), [expr(rhs.items[0])]))]
            if s.method == "extend":
                return [ast.Expr(value=_call(_attr(name, "extend"), [expr(rhs)]))]
            return [
                ast.AugAssign(target=_store(name_of(s.target.id)), op=_BINOPS[s.value.op](), value=expr(rhs))
            ]
        return [ast.Assign(targets=[target(s.target)], value=expr(s.value))]

    def _set_item(self, s: ir.SetItem) -> list[ast.stmt]:
        sub = ast.Subscript(value=_load(name_of(s.target)), slice=expr(s.index), ctx=ast.Store())
        if s.in_place and isinstance(s.value, ir.BinOp):
            return [ast.AugAssign(target=sub, op=_BINOPS[s.value.op](), value=expr(s.value.right))]
        return [ast.Assign(targets=[sub], value=expr(s.value))]

    # ----- durable calls
    def _step_call(self, s: ir.StepCall) -> list[ast.stmt]:
        args = ast.Dict(keys=[ast.Constant(value=k) for k, _ in s.args], values=[expr(v) for _, v in s.args])
        extra = [expr(s.kwargs)] if s.kwargs is not None else []
        return self._bind(s.target, _run_call("step", ast.Constant(value=s.step), args, *extra))

    def _child_call(self, s: ir.ChildWorkflowCall) -> list[ast.stmt]:
        wf = self.program.workflows[s.workflow]
        args = ast.Dict(keys=[ast.Constant(value=k) for k, _ in s.args], values=[expr(v) for _, v in s.args])
        call = _run_call("child", ast.Constant(value=wf.name), _load(workflow_function(s.workflow)), args)
        return self._bind(s.target, call)

    def _start_workflow(self, s: ir.StartWorkflow) -> list[ast.stmt]:
        """``ctx.start_workflow(wf, ...).result()``: a sub-orchestration with the child's run id (the check
        refuses the other forms: PFC082)."""
        from ..project import child_orchestrators

        name = child_orchestrators(self.program)[s.workflow]
        args = ast.Dict(keys=[ast.Constant(value=k) for k, _ in s.args], values=[expr(v) for _, v in s.args])
        return self._bind(s.target, _run_call("start_child", ast.Constant(value=name), args))

    def _map(self, s: ir.MapCall) -> list[ast.stmt]:
        limit = s.max_concurrency
        limit_ast = (
            ast.Constant(value=None)
            if limit is None
            else (ast.Constant(value=limit) if isinstance(limit, int) else expr(limit))
        )
        if s.workflow is not None:  # a child workflow per item, the item its first parameter
            wf = self.program.workflows[s.workflow]
            call = _run_call(
                "map_workflow",
                ast.Constant(value=wf.name),
                _load(workflow_function(s.workflow)),
                ast.Constant(value=wf.params[0].name),
                expr(s.items),
                limit_ast,
            )
            return self._bind(s.target, _with_failures(call, s))
        call = _run_call("map", ast.Constant(value=s.step), expr(s.items), limit_ast)
        return self._bind(s.target, _with_failures(call, s))

    def _parallel(self, s: ir.ParallelCall) -> list[ast.stmt]:
        defs: list[ast.stmt] = []
        names: list[ast.expr] = []
        for b in s.branches:
            self.branches += 1
            fname = f"_pf_branch_{self.branches}"
            body = [*self.body(b.body), ast.Return(value=expr(b.result))]
            body = [s for s in body if not isinstance(s, ast.Pass)]
            defs.append(_function(fname, [SCOPE], body))
            names.append(_load(fname))
        limit = s.max_concurrency
        limit_ast = ast.Constant(value=limit) if limit is None or isinstance(limit, int) else expr(limit)
        call = _run_call("parallel", ast.List(elts=names, ctx=ast.Load()), limit_ast)
        return [*defs, *self._bind(s.target, _with_failures(call, s))]

    def _sleep(self, s: ir.Sleep) -> list[ast.stmt]:
        return [ast.Expr(value=_run_call("sleep", expr(s.seconds)))]

    def _log(self, s: ir.Log) -> list[ast.stmt]:
        """``_pf_run.log(_pf_scope, message, fields)``: no yield (nothing to wait for), so no position."""
        call = _call(_attr(_load(RUN), "log"), [_load(SCOPE), expr(s.message), expr(s.fields)])
        return [ast.Expr(value=call)]

    def _wait(self, s: ir.WaitForEvent) -> list[ast.stmt]:
        name = ast.Constant(value=s.event) if isinstance(s.event, str) else expr(s.event)
        timeout = expr(s.timeout) if s.timeout is not None else ast.Constant(value=s.timeout_seconds)
        args: list[ast.expr] = [name, timeout]
        if s.timeout_error is not None or s.label is not None:  # else the call stays as it always was
            label = (
                expr(s.label)
                if s.label is not None and not isinstance(s.label, str)
                else ast.Constant(s.label)
            )
            args += [ast.Constant(value=s.timeout_error is not None), label]
        return self._bind(s.target, _run_call("wait_for_event", *args))

    def _primitive(self, s: ir.Primitive) -> list[ast.stmt]:
        if s.op == "idempotency_key":
            value: ast.expr = _call(_attr(_load(SCOPE), "key"))
        else:
            value = _call(_attr(_load(RUN), _PRIMITIVES[s.op]))
        return self._bind(s.target, value) if s.target is not None else []

    # ----- control flow
    def _if(self, s: ir.If) -> list[ast.stmt]:
        orelse = self.body(s.orelse) if s.orelse else []
        return [ast.If(test=expr(s.test), body=self.body(s.body), orelse=orelse)]

    def _while(self, s: ir.While) -> list[ast.stmt]:
        return [ast.While(test=expr(s.test), body=self.body(s.body), orelse=[])]

    def _for(self, s: ir.For) -> list[ast.stmt]:
        return [ast.For(target=target(s.target), iter=expr(s.iter), body=self.body(s.body), orelse=[])]

    def _try(self, s: ir.Try) -> list[ast.stmt]:
        handlers: list[ast.ExceptHandler] = []
        if s.handlers:
            handlers = [self._handlers(s.handlers)]
        return [
            ast.Try(
                body=self.body(s.body),
                handlers=handlers,
                orelse=self.body(s.orelse) if s.orelse else [],
                finalbody=self.body(s.finalbody) if s.finalbody else [],
            )
        ]

    def _handlers(self, handlers: Sequence[ir.Handler]) -> ast.ExceptHandler:
        """One ``except Exception as _pf_exc`` that picks the first clause matching by class name (the
        classes a step raised are rebuilt from their names, so names are what every error has)."""
        exc = "_pf_exc"
        chain: list[ast.stmt] = [ast.Raise(exc=None, cause=None)]
        for h in reversed(handlers):
            body = (
                [ast.Assign(targets=[_store(name_of(h.name))], value=_load(exc))] if h.name else []
            ) + self.body(h.body)
            if h.catch_all:
                chain = body
                continue
            names = tuple(dict.fromkeys((*h.types, *h.matches)))
            test = _call(
                _attr(_load(RT), "caught"),
                [_load(exc), const(list(names)), ast.Constant(value="StepFailed" in h.types)],
            )
            chain = [ast.If(test=test, body=body, orelse=chain)]
        return ast.ExceptHandler(type=_load("Exception"), name=exc, body=chain)

    def _raise(self, s: ir.Raise) -> list[ast.stmt]:
        if s.error_type is None:
            return [ast.Raise(exc=_load(name_of(s.error_var)) if s.error_var else None, cause=None)]
        message = expr(s.message) if s.message is not None else ast.Constant(value=None)
        exc = _call(
            _attr(_load(RT), "error"),
            [ast.Constant(value=s.error_type), message, _attr(_load(RUN), "modules")],
        )
        return [ast.Raise(exc=exc, cause=None)]


def _function(
    name: str, params: Sequence[str], body: list[ast.stmt], defaults: Sequence[ast.expr] = ()
) -> ast.stmt:
    args = ast.arguments(
        posonlyargs=[],
        args=[ast.arg(arg=p) for p in params],
        kwonlyargs=[],
        kw_defaults=[],
        defaults=list(defaults),
    )
    node = ast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None)
    if "type_params" in ast.FunctionDef._fields:  # Python 3.12+ (unparse reads it)
        setattr(node, "type_params", [])  # noqa: B010
    return node


def _yields(body: list[ast.stmt]) -> bool:
    """Whether ``body`` yields itself (not only inside the nested functions of parallel branches)."""
    todo: list[ast.AST] = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Yield | ast.YieldFrom):
            return True
        if not isinstance(node, ast.FunctionDef | ast.Lambda):
            todo.extend(ast.iter_child_nodes(node))
    return False


def workflow_source(program: ir.Program, key: str) -> str:
    """The generator function of one workflow (the entry's or a child's): ``_pf_wf_<key>(_pf_scope, ...)``."""
    wf = program.workflows[key]
    low = Lowerer(program)
    body: list[ast.stmt] = [ast.Assign(targets=[_store(RUN)], value=_attr(_load(SCOPE), "run"))]
    body += [s for s in low.body(wf.body) if not isinstance(s, ast.Pass)]
    if not _yields(body):  # the runtime drives every workflow as a generator, even one with nothing durable
        never: list[ast.stmt] = [ast.Expr(value=ast.Yield(value=None))]
        body.append(ast.If(test=ast.Constant(value=False), body=never, orelse=[]))
    params = [SCOPE, *(name_of(p.name) for p in wf.params)]
    defaults = [expr(p.default) for p in wf.params if p.default is not None]
    node = _function(workflow_function(key), params, body, defaults)
    module = ast.Module(body=[node], type_ignores=[])
    return ast.unparse(ast.fix_missing_locations(module))
