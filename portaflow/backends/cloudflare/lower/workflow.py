"""IR statements -> the TypeScript of a Cloudflare workflow: one async function per workflow.

Expressions are :mod:`.expr`'s (Python's semantics on the ``py`` runtime); what is durable (steps, timers,
events, children, map, parallel) is a call of the shipped ``durable.ts`` runtime's ``Run``, which numbers
calls as the local engine does. Control flow maps onto TypeScript's own (``if``/``while``/``for``/``try``
keep Python's order of evaluation, ``break``/``continue``/``return`` through ``finally`` included); where
Python's rules differ (truthiness, iteration, unpacking, ``except`` by class name) a runtime call keeps them.

Names: a user's name ``x`` is ``$x`` (no TypeScript keyword or runtime name starts with ``$``); a compiler
temporary ``%ret`` is ``$$ret``. One function per statement kind, through a dispatch table.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from portaflow.backends import partial
from portaflow.compiler import ir

from . import expr as expressions

RUN = "run"
SCOPE = "scope"
Lines = list[str]


def name_of(name: str) -> str:
    if ir.is_temporary(name):
        return "$$" + name[len(ir.TEMPORARY) :]
    return "$" + name


def workflow_function(key: str) -> str:
    return "wf_" + key.replace(".", "_")


def ts_string(text: str) -> str:
    """A TypeScript string literal (JSON's escapes; U+2028/9 are legal in both)."""
    return json.dumps(text)


def expr(e: ir.Expr) -> str:
    return expressions.expr(e, name_of)


def _truth(e: ir.Expr) -> str:
    """Python's truth of ``e`` as a TypeScript boolean: bool(e), which the expression layer lowers."""
    if e.ty == "bool" and isinstance(e, ir.Compare):
        return expr(e)
    return expr(ir.Call("bool", (e,), (), "bool"))


def _assigned(stmts: Iterable[ir.Stmt]) -> list[str]:
    """Every name a body binds (not inside parallel branches, whose names are their own), in order."""
    out: dict[str, None] = {}

    def target(t: ir.Target) -> None:
        if isinstance(t, ir.NameTarget):
            out[t.id] = None
        else:
            for e in t.elts:
                target(e)

    def walk(body: Iterable[ir.Stmt]) -> None:
        for s in body:
            t = getattr(s, "target", None)
            if isinstance(t, ir.NameTarget | ir.TupleTarget):
                target(t)
            if isinstance(s, ir.If):
                walk(s.body)
                walk(s.orelse)
            elif isinstance(s, ir.While | ir.For):
                walk(s.body)
            elif isinstance(s, ir.Try):
                walk(s.body)
                for h in s.handlers:
                    if h.name:
                        out[h.name] = None
                    walk(h.body)
                walk(s.orelse)
                walk(s.finalbody)

    walk(stmts)
    return list(out)


class Lowerer:
    """The statements of one workflow. ``handlers`` holds the variables of the ``catch`` clauses around
    the statement being lowered (a bare ``raise`` re-raises the innermost)."""

    def __init__(self, program: ir.Program) -> None:
        self.program = program
        self.counter = 0
        self.handlers: list[str] = []
        self._table: dict[type[Any], Callable[[Any], Lines]] = {
            ir.Assign: self._assign,
            ir.SetItem: self._set_item,
            ir.StepCall: self._step_call,
            ir.ChildWorkflowCall: self._child_call,
            ir.MapCall: self._map,
            ir.ParallelCall: self._parallel,
            ir.Sleep: self._sleep,
            ir.WaitForEvent: self._wait,
            ir.Primitive: self._primitive,
            ir.Log: self._log,
            ir.If: self._if,
            ir.While: self._while,
            ir.For: self._for,
            ir.Break: lambda s: ["break;"],
            ir.Continue: lambda s: ["continue;"],
            ir.Try: self._try,
            ir.Raise: self._raise,
            ir.Return: lambda s: [f"return {expr(s.value)};"],
        }

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"$pf_{stem}{self.counter}"

    def body(self, stmts: Sequence[ir.Stmt]) -> Lines:
        out: Lines = []
        for s in stmts:
            out += self._table[type(s)](s)
        return out

    def block(self, stmts: Sequence[ir.Stmt]) -> Lines:
        return ["  " + line for line in self.body(stmts)]

    def bind(self, t: ir.Target | None, value: str) -> Lines:
        """``t = value`` (an unpacking for a tuple target), or the value evaluated for its effect."""
        if t is None:
            return [f"{value};"]
        if isinstance(t, ir.NameTarget):
            return [f"{name_of(t.id)} = {value};"]
        tmp = self.fresh("u")
        out = [f"const {tmp} = unpack({value}, {len(t.elts)});"]
        for i, e in enumerate(t.elts):
            out += self.bind(e, f"{tmp}[{i}]")
        return out

    # ----- assignments
    def _assign(self, s: ir.Assign) -> Lines:
        if s.in_place and s.method not in ("", "append", "extend") and isinstance(s.target, ir.NameTarget):
            # xs.sort(), d.update(...)...: the receiver's object takes its new contents (IR version 7)
            return [f"replaceContents({name_of(s.target.id)}, {expr(s.value)});"]
        if s.in_place and isinstance(s.value, ir.BinOp) and isinstance(s.target, ir.NameTarget):
            name = name_of(s.target.id)
            rhs = s.value.right
            if s.method == "append" and isinstance(rhs, ir.ListExpr) and len(rhs.items) == 1:
                call = ir.Call("list.append", (ir.Name(s.target.id, "list"), rhs.items[0]), (), "none")
                return [f"{expr(call)};"]
            if s.method == "extend":
                call = ir.Call("list.extend", (ir.Name(s.target.id, "list"), rhs), (), "none")
                return [f"{expr(call)};"]
            # xs += v / xs *= n: a list changes in place (a name sharing it sees the change), else rebinds
            new = expr(s.value)
            change = f"inPlaceExtend({name}, {expr(rhs)})" if s.value.op == "+" else f"inPlace({name}, {new})"
            return [f"{name} = Array.isArray({name}) ? {change} : {new};"]
        return self.bind(s.target, expr(s.value))

    def _set_item(self, s: ir.SetItem) -> Lines:
        value = s.value
        return [f"setItem({name_of(s.target)}, {expr(s.index)}, {expr(value)});"]

    # ----- durable calls
    @staticmethod
    def _args(args: Sequence[tuple[str, ir.Expr]]) -> str:
        pairs = ", ".join(f"[{ts_string(k)}, {expr(v)}]" for k, v in args)
        return f"new Map<Value, Value>([{pairs}])"

    def _step_call(self, s: ir.StepCall) -> Lines:
        extra = f", {expr(s.kwargs)}" if s.kwargs is not None else ""
        call = f"await {RUN}.callStep({SCOPE}, {ts_string(s.step)}, {self._args(s.args)}{extra})"
        return self.bind(s.target, call)

    def _child_call(self, s: ir.ChildWorkflowCall) -> Lines:
        wf = self.program.workflows[s.workflow]
        given = dict(s.args)
        args = ", ".join(expr(given[p.name]) if p.name in given else "undefined" for p in wf.params)
        given_args = ", ".join(f"a[{i}]" for i in range(len(wf.params)))
        comma = ", " if wf.params else ""
        body = f"(s: Scope, a: Value[]) => {workflow_function(s.workflow)}({RUN}, s{comma}{given_args})"
        call = f"await {RUN}.child({SCOPE}, {ts_string(wf.name)}, [{args}], {body})"
        return self.bind(s.target, call)

    @staticmethod
    def _limit(limit: int | ir.Expr | None) -> str:
        if limit is None:
            return "null"
        return str(limit) if isinstance(limit, int) else expr(limit)

    def _map(self, s: ir.MapCall) -> Lines:
        limit = self._limit(s.max_concurrency)
        if s.workflow is not None:  # a child workflow per item, called with the item as its first argument
            wf = self.program.workflows[s.workflow]
            given_args = ", ".join(f"a[{i}]" for i in range(len(wf.params)))
            body = f"(s: Scope, a: Value[]) => {workflow_function(s.workflow)}({RUN}, s, {given_args})"
            args = f"{ts_string(wf.name)}, {expr(s.items)}, {limit}, {body}{_tolerance(s)}"
            call = f"await {RUN}.mapWorkflow({SCOPE}, {args})"
            return self.bind(s.target, call)
        call = f"await {RUN}.map({SCOPE}, {ts_string(str(s.step))}, {expr(s.items)}, {limit}{_tolerance(s)})"
        return self.bind(s.target, call)

    def _parallel(self, s: ir.ParallelCall) -> Lines:
        branches: list[str] = []
        for b in s.branches:
            inner = Lowerer(self.program)
            inner.counter = self.counter + 1000 * (len(branches) + 1)
            lines = [f"let {name_of(n)}: Value = null;" for n in _assigned(b.body)]
            lines += inner.body(b.body)
            lines.append(f"return {expr(b.result)};")
            body = "\n".join("  " + line for line in lines)
            branches.append(f"async ({SCOPE}: Scope): Promise<Value> => {{\n{body}\n}}")
        limit = self._limit(s.max_concurrency)
        call = f"await {RUN}.parallel({SCOPE}, [{', '.join(branches)}], {limit}{_tolerance(s)})"
        return self.bind(s.target, call)

    def _sleep(self, s: ir.Sleep) -> Lines:
        return [f"await {RUN}.sleep({SCOPE}, {expr(s.seconds)});"]

    def _log(self, s: ir.Log) -> Lines:
        return [f"await {RUN}.log({SCOPE}, {expr(s.message)}, {expr(s.fields)});"]

    def _wait(self, s: ir.WaitForEvent) -> Lines:
        timeout = "null" if s.timeout_seconds is None else repr(float(s.timeout_seconds))
        if s.timeout is not None:  # computed at run time: the runtime reads it as parse_duration does
            timeout = expr(s.timeout)
        event = ts_string(s.event) if isinstance(s.event, str) else f"{expr(s.event)} as string"
        args = f"{SCOPE}, {event}, {timeout}"
        if s.timeout_error is not None or s.label is not None:  # else the call stays as it always was
            label = (
                "null"
                if s.label is None
                else ts_string(s.label)
                if isinstance(s.label, str)
                else expr(s.label)
            )
            args += f", {'true' if s.timeout_error is not None else 'false'}, {label}"
        return self.bind(s.target, f"await {RUN}.waitForEvent({args})")

    def _primitive(self, s: ir.Primitive) -> Lines:
        if s.op == "idempotency_key":
            value = f"{SCOPE}.key()"
        else:
            value = f"await {RUN}.{'uuid4' if s.op == 'uuid4' else s.op}({SCOPE})"
        if s.target is None:
            return [f"{value};"] if s.op != "idempotency_key" else []
        return self.bind(s.target, value)

    # ----- control flow
    def _if(self, s: ir.If) -> Lines:
        out = [f"if ({_truth(s.test)}) {{", *self.block(s.body), "}"]
        if s.orelse:
            out[-1] = "} else {"
            out += [*self.block(s.orelse), "}"]
        return out

    def _while(self, s: ir.While) -> Lines:
        return [f"while ({_truth(s.test)}) {{", *self.block(s.body), "}"]

    def _for(self, s: ir.For) -> Lines:
        if isinstance(s.target, ir.NameTarget):
            return [f"for ({name_of(s.target.id)} of iterate({expr(s.iter)})) {{", *self.block(s.body), "}"]
        item = self.fresh("it")
        head = [f"for (const {item} of iterate({expr(s.iter)})) {{"]
        return [*head, *["  " + line for line in self.bind(s.target, item)], *self.block(s.body), "}"]

    def _try(self, s: ir.Try) -> Lines:
        body = self.body(s.body)
        if s.orelse:  # else: runs when the body ended without an exception, outside the handlers
            ok = self.fresh("ok")
            body = [f"{ok} = false;", *body, f"{ok} = true;"]
            tail = [f"if ({ok}) {{", *self.block(s.orelse), "}"]
        else:
            ok, tail = "", []
        out: Lines = []
        if ok:
            out.append(f"let {ok} = false;")
        if s.handlers:
            err = self.fresh("e")
            inner = ["try {", *["  " + line for line in body], f"}} catch ({err}) {{"]
            inner += ["  " + line for line in self._handlers(s.handlers, err)]
            inner.append("}")
        else:  # try/finally alone: the finally below is the whole statement
            inner = list(body)
        inner += tail
        if s.finalbody:
            # an error of the engine's own (a pause, an eviction) unwinds without running the finally
            abort, err = self.fresh("abort"), self.fresh("fe")
            out += [
                f"let {abort} = false;",
                "try {",
                *["  " + line for line in inner],
                f"}} catch ({err}) {{",
                f"  {abort} = isEngineError({err});",
                f"  throw {err};",
                "} finally {",
                f"  if (!{abort}) {{",
                *["  " + line for line in self.block(s.finalbody)],
                "  }",
                "}",
            ]
        else:
            out += inner
        return out

    def _handlers(self, handlers: Sequence[ir.Handler], err: str) -> Lines:
        """One ``catch`` choosing the first clause that matches by class name, as Python tries them; an
        error that is not Python's (the engine's own) is never caught."""
        self.handlers.append(err)
        try:
            out: Lines = []
            for i, h in enumerate(handlers):
                if h.catch_all:
                    test = f"{err} instanceof py.PyError"
                else:
                    names = json.dumps(list(dict.fromkeys((*h.types, *h.matches))))
                    test = f"caught({err}, {names}, {'true' if 'StepFailed' in h.types else 'false'})"
                bind = [f"{name_of(h.name)} = {err} as Value;"] if h.name else []  # a PyError: caught()
                body = bind + self.body(h.body)
                out += [f"{'if' if i == 0 else '} else if'} ({test}) {{", *["  " + line for line in body]]
            out += ["} else {", f"  throw {err};", "}"]
            return out
        finally:
            self.handlers.pop()

    def _raise(self, s: ir.Raise) -> Lines:
        if s.error_type is None:
            if s.error_var is not None:
                return [f"throw {name_of(s.error_var)};"]
            return [f"throw {self.handlers[-1]};"]
        if s.message is None:
            return [f"throw py.error({ts_string(s.error_type)}, null);"]
        message = expr(ir.Call("str", (s.message,), (), "str"))
        return [f"throw py.error({ts_string(s.error_type)}, {message});"]


def workflow_function_source(program: ir.Program, key: str) -> str:
    """``async function wf_<key>(run, scope, ...params)``: one workflow (the entry's or a child's)."""
    wf = program.workflows[key]
    low = Lowerer(program)
    params = [name_of(p.name) for p in wf.params]
    signature = [f"{RUN}: Run", f"{SCOPE}: Scope"]
    for p in wf.params:
        default = f" = {expr(p.default)}" if p.default is not None else ""
        signature.append(f"{name_of(p.name)}: Value{default}")
    local = [n for n in _assigned(wf.body) if name_of(n) not in params]
    lines = [f"let {name_of(n)}: Value = null;" for n in local]
    lines += low.body(wf.body)
    if not (wf.body and isinstance(wf.body[-1], ir.Return)):
        lines.append("return null;")
    body = "\n".join("  " + line for line in lines)
    return f"async function {workflow_function(key)}({', '.join(signature)}): Promise<Value> {{\n{body}\n}}\n"


def _tolerance(s: ir.MapCall | ir.ParallelCall) -> str:
    """The runtime's ``Tolerance`` argument of a tolerated fan-out (a statement: PFC075 refuses kept
    outcomes), or nothing; ``return_exceptions`` alone never raises: every failure is tolerated."""
    pol = partial.policy(s)
    if not pol.collects:
        return ""
    if not pol.bounded:  # 100% is never exceeded
        pol = replace(pol, percentage=100.0)
    fields = {
        "count": "null" if pol.count is None else str(pol.count),
        "percentage": "null" if pol.percentage is None else repr(pol.percentage),
        "shown": ts_string(pol.describe()),
        "noun": ts_string(partial.noun(s)),
        "plural": ts_string(partial.plural(s)),
    }
    return ", {" + ", ".join(f"{k}: {v}" for k, v in fields.items()) + "}"
