"""Calls: of steps and child workflows (arguments bound to parameters, the idempotency key injected), through
a module-level table of steps (``TOOLS[name](...)``), of builtins (checked against the catalogue's
signatures), and the calls a workflow may not make (PFC022, with what to write instead)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn, TypeVar, cast

import libcst as cst

from .. import catalog, ir
from ..ir import types
from . import childruns, context, datetimes, formatting, helpers, hoisting, methods
from .common import BUILTINS_SUPPORTED, SIGNATURES, BadArguments, Unsupported
from .modules import DslFunction, ModuleInfo, Resolved

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

_A = TypeVar("_A")  # a call's argument: a CST node, or its IR once lowered
_n_arguments, _plural = catalog.n_arguments, catalog.plural

_NOW = "use ctx.now() (recorded: the same time on every replay)"
CALL_HINTS = {
    "time.time": _NOW,
    "time.time_ns": _NOW,
    "time.monotonic": _NOW,
    "time.perf_counter": _NOW,
    "datetime.now": _NOW,
    "datetime.utcnow": _NOW,
    "datetime.today": _NOW,
    "datetime.datetime.now": _NOW,
    "datetime.datetime.utcnow": _NOW,
    "datetime.datetime.today": _NOW,
    "datetime.date.today": _NOW,
    "date.today": _NOW,
    "time.sleep": 'use ctx.sleep(seconds) or ctx.sleep("5m") (a durable timer)',
    "asyncio.sleep": 'use ctx.sleep(seconds) or ctx.sleep("5m") (a durable timer)',
    "uuid.uuid4": "use ctx.uuid4() (recorded)",
    "uuid.uuid1": "use ctx.uuid4() (recorded)",
}
MODULE_HINTS = {
    "time": "use ctx.now() for the time and ctx.sleep(...) to wait",
    "datetime": _NOW + "; do other date arithmetic in a @step",
    "random": "use ctx.random() (recorded), or draw in a @step",
    "secrets": "draw the value in a @step (its result is recorded)",
    "uuid": "use ctx.uuid4() (recorded)",
    "os": "read the environment or files in a @step (its result is recorded)",
    "sys": "do it in a @step",
    "subprocess": "run it in a @step",
    "requests": "make the request in a @step (retried, and its result recorded)",
    "httpx": "make the request in a @step (retried, and its result recorded)",
    "urllib": "make the request in a @step (retried, and its result recorded)",
    "logging": "log in a @step, or return what you want to see from the workflow",
    "asyncio": "workflows are synchronous: use ctx.sleep, ctx.map and ctx.parallel",
}


def step_table(lw: WorkflowLowerer, f: cst.BaseExpression) -> Resolved | None:
    """The module-level table of steps (defined here or imported) that ``TOOLS[name]`` indexes."""
    if not (
        isinstance(f, cst.Subscript)
        and isinstance(f.value, cst.Name)
        and len(f.slice) == 1
        and isinstance(f.slice[0].slice, cst.Index)
    ):
        return None
    t = callee_of(lw, f.value)
    return t if t is not None and t.kind == "table" else None


def callee_of(lw: WorkflowLowerer, f: cst.BaseExpression) -> Resolved | None:
    """What ``name`` or ``module.attr`` refers to at module level (None: a local, the ctx, unknown).
    A name bound only conditionally (``if``, ``except``, ``if TYPE_CHECKING:``) is PFC026 here, for
    every use."""
    root = f
    while isinstance(root, cst.Attribute):
        root = root.value
    if not isinstance(root, cst.Name) or root.value in lw.locals or root.value == lw.ctx:
        return None
    found = lw.fe.resolve(lw.info, f)
    if found is not None and found.kind == "unsure" and found.module is not None:
        why, hint = found.module.unsure[found.name]
        lw.error("PFC026", root, f"name {found.name!r} cannot be resolved: it is {why}", hint)
        raise Unsupported
    return found


def not_a_step(lw: WorkflowLowerer, call: cst.Call, f: cst.BaseExpression) -> NoReturn:
    """PFC022 for a call the compiler cannot compile, saying what the callee is."""
    what = lw.fe.code(f)
    t = callee_of(lw, f)
    message = f"{what}() is not a @step, a @workflow or a supported builtin"
    hint = f"decorate {what} with @step (its result is then recorded), or compute the value inline"
    if t is None:
        pass
    elif t.kind == "external" and (what in CALL_HINTS or what.split(".", 1)[0] in MODULE_HINTS):
        message = (
            f"{what}() cannot be called in a workflow: it would run again, and may differ, on every replay"
        )
        hint = CALL_HINTS.get(what) or MODULE_HINTS.get(what.split(".", 1)[0]) or hint
    elif t.kind == "external":
        message = (
            f"{what}() comes from {t.name!r}, which is not a module of this project (the standard "
            "library or an installed package): the compiler reads only the project's own source"
        )
        hint = "call it inside a @step of your project, and call that step here"
        fallback = lw.info.fallbacks.get(what.split(".", 1)[0])
        if fallback is not None:
            message += (
                f" (a module-level `try` imports it; the compiler follows the `try` body's import, not "
                f"the `except` clause at line {fallback})"
            )
            hint = "import the project's step unconditionally, or " + hint
    elif t.kind == "function" and t.module is not None:
        message = f"{what}() is a plain function ({t.where()}), not a @step"
        hint = f"decorate it with @step in {t.module.path}, or call it inside a step"
        fdef = helpers.top_level_def(t)
        if t.name not in t.module.foreign and fdef is not None:
            message += ": a decorated function is not inlined as a helper (its decorator changes the call)"
            hint = f"decorate it with @step in {t.module.path}, or remove its decorator to inline it"
        elif fdef is None:
            message += ": only a def at the top level of a module is inlined as a helper"
            hint = f"define it at the top level of {t.module.path} (not under `if`/`try`), or make it a @step"
    elif t.kind in ("class", "constant", "value", "table", "policy"):
        message = f"{what} ({t.where()}) is not a @step or a @workflow"
        hint = "call a @step here; do other work inside a step"
    elif t.kind == "module":
        message = f"{what} is a module of the project, not a step"
        hint = f"call one of its @step functions: {what}.some_step(...)"
    elif t.kind == "missing" and t.module is not None:
        message = f"{what}(): {t.module.file.name} ({t.module.path}) defines no {t.name!r}"
        hint = "check the name: a step is found by its def (or its import) in that module"
    elif t.kind == "problem":
        message = f"{what}() cannot be found: {t.name}"
        hint = "make the folder a package (add __init__.py), or import the module by its absolute name"
    elif t.kind == "broken":
        message = f"{what}() is in {t.name}, which does not parse (see PFC001 there)"
        hint = "fix that module's syntax"
    lw.error("PFC022", call, message, hint)
    raise Unsupported


def is_dispatch(lw: WorkflowLowerer, f: cst.BaseExpression) -> bool:
    """``TOOLS[name](...)`` where TOOLS is a module-level dict of steps."""
    return step_table(lw, f) is not None


def table_dispatch(
    lw: WorkflowLowerer, call: cst.Call, f: cst.Subscript, target: ir.Target | None, loc: ir.Loc
) -> list[ir.Stmt]:
    """A call through a table of steps (child workflows, helpers): an if/elif chain over the keys, each
    branch the call of one entry, and KeyError (Python's message) for an unknown key."""
    table_name = cast(cst.Name, f.value).value
    where = cast(Resolved, step_table(lw, f))
    home = cast(ModuleInfo, where.module)
    table = home.step_tables[where.name]
    entries: list[tuple[str, Resolved]] = []
    others: list[str] = []
    for key, value in table.items():
        t = lw.fe.resolve_name(home, value)
        if t is None or not ((t.kind in ("step", "workflow") and t.fn is not None) or helpers.helper_def(t)):
            others.append(value)
        else:
            entries.append((key, t))
    if others:
        lw.error(
            "PFC022",
            f.value,
            f"{table_name} maps to {', '.join(others)}, which are not @step, @workflow or plain functions",
            "put only @step functions (or child workflows, or plain helper functions) in a table of tools",
        )
        raise Unsupported
    selector = lw.expr(cast(cst.Index, f.slice[0].slice).value)
    if any(a.star == "*" for a in call.args):
        lw.error("PFC027", call, "*args cannot be passed to a step", "pass arguments by name, or **kwargs")
        raise Unsupported
    star = [a for a in call.args if a.star == "**"]
    plain = call.with_changes(args=[a for a in call.args if not a.star])
    kwargs_expr = lw.expr(star[0].value) if star else None
    missing = ir.FString((ir.FormattedValue(selector, "r"),))
    chain: list[ir.Stmt] = [ir.Raise("KeyError", missing, loc)]
    for key, entry in reversed(entries):
        helper = helpers.helper_def(entry)
        if entry.kind == "step" and entry.fn is not None:
            step_key, sd = lw.fe.lower_step(entry.fn)
            required = () if kwargs_expr is not None else sd.required
            args = bind_arguments(lw, plain, sd.params, required, f"step {sd.name!r}", inject_key=True)
            branch: list[ir.Stmt] = [ir.StepCall(step_key, args, target, loc, kwargs_expr)]
        elif star:
            kind = "a child workflow" if helper is None else "a plain function"
            lw.error(
                "PFC027",
                star[0],
                f"{table_name}[{key!r}] is {kind}: **mapping is passed only to steps",
                "pass its arguments by name",
            )
            raise Unsupported
        elif helper is not None:
            branch = helpers.inline(lw, call, helper, target, loc)
        else:
            branch = child_call(lw, call, cast(DslFunction, entry.fn), target, loc)
        test = ir.Compare(selector, ("==",), (ir.Const(key, "str"),))
        chain = [ir.If(test, tuple(branch), tuple(chain), loc)]
    return chain


def child_call(
    lw: WorkflowLowerer, call: cst.Call, fn: DslFunction, target: ir.Target | None, loc: ir.Loc
) -> list[ir.Stmt]:
    """A child workflow's call: its body lowered once (in its own module), its arguments bound."""
    if lw.fe.step_key(fn) in lw.stack:
        lw.error(
            "PFC032",
            call,
            f"workflow {fn.function!r} calls itself (recursion cannot be inlined)",
            "use a while loop instead of recursion",
        )
        raise Unsupported
    wf_key, child = lw.fe.lower_workflow(fn, lw.stack)
    if child is None:
        raise Unsupported
    cargs = list(call.args)
    if (
        cargs
        and cargs[0].keyword is None
        and isinstance(cargs[0].value, cst.Name)
        and cargs[0].value.value == lw.ctx
    ):
        cargs = cargs[1:]
    names = tuple(p.name for p in child.params)
    req = tuple(p.name for p in child.params if p.default is None)
    args = bind_arguments(lw, call.with_changes(args=cargs), names, req, f"workflow {child.name!r}")
    return [ir.ChildWorkflowCall(wf_key, args, target, loc)]


def needs_statement(lw: WorkflowLowerer, call: cst.Call) -> bool:
    """A call lowered as statements of its own where one may be: a step-like call, or a helper's (inlined
    whole there, where inside an expression only an expression form of it can be)."""
    from . import mutations

    return (
        is_step_like(lw, call)
        or helpers.helper_def(callee_of(lw, call.func)) is not None
        or mutations.is_mutation(lw, call)
    )


def is_step_like(lw: WorkflowLowerer, call: cst.Call) -> bool:
    f = call.func
    if is_dispatch(lw, f) or childruns.is_result_call(lw, call):
        return True
    callee = callee_of(lw, f)
    if callee is not None:
        return callee.kind in ("step", "workflow")
    if isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name) and f.value.value == lw.ctx:
        return f.attr.value in (
            "map",
            "parallel",
            "wait_for_event",
            "sleep",
            "now",
            "uuid4",
            "random",
            "idempotency_key",
            "start_workflow",
            "log",
        )
    return False


def next_call(lw: WorkflowLowerer, n: cst.Call, args: list[ir.Expr]) -> None:
    """``next(generator, default)``: what every target lowers is the first item of a generator expression;
    its first iterable is evaluated before the default, as in Python, so both may not raise (a target that
    evaluates the default first would raise the other error)."""
    if len(args) == 1:
        lw.error(
            "PFC021",
            n,
            "next() without a default raises StopIteration when nothing matches, which no target has",
            f"pass the value for no match: next({lw.fe.code(n.args[0].value)}, None)",
        )
        raise Unsupported
    gen, default = args
    if not (isinstance(gen, ir.ListComp) and gen.generator):
        lw.error(
            "PFC021",
            n,
            "next() takes a generator expression here",
            "write next((x for x in xs if test(x)), default), or xs[0] for a list's first item",
        )
        raise Unsupported
    if ir.may_raise(gen.generators[0].iter) and ir.may_raise(default):
        lw.error(
            "PFC021",
            n,
            "next()'s default and the generator's first iterable may both raise here",
            "compute one of them in an assignment before the call",
        )
        raise Unsupported


def hoistable(lw: WorkflowLowerer, call: cst.Call) -> bool:
    """Whether a step-like call inside the statement being lowered runs as a statement before it."""
    return lw.hoist is not None and call in lw.step_hoistable


def hoisted_call(lw: WorkflowLowerer, call: cst.Call) -> ir.Name:
    """A step-like call inside an expression, as statements into a temporary before the statement
    (hoisting.py says when that is Python's order)."""
    assert lw.hoist is not None
    lw.hoisted += 1
    tmp = ir.NameTarget(ir.temporary(f"s{lw.hoisted}"))
    stmts = call_statement(lw, call, tmp, lw.fe.pos(call))
    assert stmts is not None  # is_step_like: call_statement lowers every such call
    lw.hoist.extend(stmts)
    lw.locals.add(tmp.id)
    last = stmts[-1] if stmts else None
    ty: ir.Type = "any"
    if isinstance(last, ir.Primitive):
        ty = types.PRIMITIVE_TYPES.get(last.op, "any")
    elif isinstance(last, ir.StepCall) and last.step in lw.fe.steps_ir:
        # its return annotation, as a variable assigned the step's result is typed (types.infer_variables)
        ty = lw.fe.steps_ir[last.step].returns
    return ir.Name(tmp.id, ty)


def call_statement(
    lw: WorkflowLowerer, call: cst.Call, target: ir.Target | None, loc: ir.Loc
) -> list[ir.Stmt] | None:
    """Lower a step / child workflow / ctx call, or a method changing a local list or dict, in statement
    position, or return None."""
    from . import mutations  # it lowers its arguments through here

    if mutations.is_mutation(lw, call):
        return mutations.lower(lw, call, target, loc)
    f = call.func
    if is_dispatch(lw, f):
        return table_dispatch(lw, call, cast(cst.Subscript, f), target, loc)
    if childruns.is_result_call(lw, call):
        return childruns.result_call(lw, call, target, loc)
    callee = callee_of(lw, f)
    helper = helpers.helper_def(callee)
    if helper is not None:
        return helpers.inline(lw, call, helper, target, loc)
    if callee is not None and callee.kind == "step" and callee.fn is not None:
        key, sd = lw.fe.lower_step(callee.fn)
        args = bind_arguments(lw, call, sd.params, sd.required, f"step {sd.name!r}", inject_key=True)
        return [ir.StepCall(key, args, target, loc)]
    if callee is not None and callee.kind == "workflow" and callee.fn is not None:
        return child_call(lw, call, callee.fn, target, loc)
    if isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name) and f.value.value == lw.ctx:
        return context.primitive(lw, call, f.attr.value, target, loc)
    return None


def bind_arguments(
    lw: WorkflowLowerer,
    call: cst.Call,
    params: tuple[str, ...],
    required: tuple[str, ...],
    what: str,
    inject_key: bool = False,
) -> tuple[tuple[str, ir.Expr], ...]:
    bound: dict[str, ir.Expr] = {}
    pos = 0
    refused = False
    for a in call.args:
        if a.star:
            lw.error("PFC027", a, f"*args/**kwargs cannot be passed to {what}", "pass each argument")
            continue
        if isinstance(a.value, cst.Call) and is_step_like(lw, a.value) and not hoistable(lw, a.value):
            message, hint = hoisting.refusal(lw, a.value)
            lw.error("PFC023", a.value, message, hint)
            refused = True  # one error for this argument, not a second one saying it is missing
            continue
        if a.keyword is None:
            if pos >= len(params):
                lw.error("PFC027", a, f"{what} takes {len(params)} argument(s)", "remove the extra argument")
                continue
            bound[params[pos]] = lw.expr(a.value)
            pos += 1
        else:
            kw = a.keyword.value
            if kw == "idempotency_key" and inject_key:
                # the caller's key wins over the injected one (docs/semantics.md)
                bound[kw] = lw.expr(a.value)
                continue
            if kw not in params:
                lw.error("PFC027", a, f"{what} has no parameter {kw!r}", "parameters: " + ", ".join(params))
                continue
            if kw in bound:
                lw.error("PFC027", a, f"{kw!r} given twice", "pass it once")
            bound[kw] = lw.expr(a.value)
    missing = [p for p in required if p not in bound]
    if missing and not refused:
        lw.error(
            "PFC027",
            call,
            f"{what} is missing argument(s): {', '.join(missing)}",
            "pass " + ", ".join(missing),
        )
    order = (*params, "idempotency_key") if inject_key else params
    return tuple((p, bound[p]) for p in order if p in bound)


def check_arguments(
    lw: WorkflowLowerer, n: cst.Call, key: str, args: list[_A], kwargs: list[tuple[str, _A]]
) -> tuple[list[_A], list[tuple[str, _A]]]:
    """The arguments of a call of the builtin or method ``key``, checked against its SIGNATURES entry
    (the one place arities are checked: PFC021 for a builtin, PFC024 for a method), with keyword
    spellings of positional parameters (``sum(xs, start=1)``) made positional."""
    sig = SIGNATURES[key]
    method = "." in key and not key.startswith("json.")
    code = "PFC024" if method else "PFC021"
    shown = lw.fe.code(n.func) if method else key

    def refuse(message: str, instead: str = "") -> NoReturn:
        lw.error(code, n, message, f"write {sig.usage}" + (f"; {instead}" if instead else ""))
        raise BadArguments

    positional = list(args)
    named: dict[int, tuple[str, _A]] = {}
    keywords: list[tuple[str, _A]] = []
    for k, v in kwargs:
        if k in sig.keywords:
            keywords.append((k, v))
        elif k and k in sig.by_name:
            i = sig.by_name.index(k)
            if i < len(args) or i in named:
                refuse(f"{shown}() got {k}= and a positional argument for it: Python raises TypeError")
            named[i] = (k, v)
        elif sig.any_keyword or k in sig.python_keywords:
            refuse(f"{shown}() does not take {k}= here: {sig.why}", sig.instead)
        else:
            refuse(f"{shown}() has no keyword argument {k}=: Python raises TypeError")
    for i in sorted(named):
        k, v = named[i]
        if i != len(positional):
            refuse(f"{shown}() got {k}= without the argument before it: Python raises TypeError")
        positional.append(v)
    given = len(positional)
    if given < sig.least:
        refuse(f"{shown}() takes {sig.count()} ({given} given): Python raises TypeError")
    if sig.most is not None and given > sig.most:
        if given <= sig.most + sig.python_extra:
            refuse(f"{shown}() with {_n_arguments(given)} is not supported: {sig.why}", sig.instead)
        refuse(f"{shown}() takes {sig.count()} ({given} given): Python raises TypeError")
    return positional, keywords


def call_expr(lw: WorkflowLowerer, n: cst.Call) -> ir.Expr:
    try:
        return value_call(lw, n)
    except BadArguments:
        return ir.Const(None, "any")  # reported: a placeholder, to lower (and check) the rest


def patched(lw: WorkflowLowerer, n: cst.Call) -> ir.Patched:
    """``ctx.patched("change-id")``: the id must be a literal, so every target knows its changes when it
    is compiled (the runs it starts record them: docs/semantics.md)."""
    arg = n.args[0].value if len(n.args) == 1 and n.args[0].keyword is None and not n.args[0].star else None
    change_id = arg.evaluated_value if isinstance(arg, cst.SimpleString) else None
    if not isinstance(change_id, str) or not change_id:
        lw.error(
            "PFC021",
            n,
            "ctx.patched() needs its change id as a literal, non-empty string",
            'name the change in the call: `ctx.patched("welcome-v2")`',
        )
        raise Unsupported
    return ir.Patched(change_id)


# builtins that are functions of one value with no other effect: ``key=len`` is ``key=lambda x: len(x)``, with
# the same exceptions (Python looks the name up before the call, and it is always there)
KEY_BUILTINS = ("len", "abs", "str", "int", "float", "bool")


def key_function(lw: WorkflowLowerer, node: cst.BaseExpression) -> ir.Expr:
    """The ``key=`` of ``sorted``/``min``/``max``/``list.sort``: a lambda, a builtin of one value
    (:data:`KEY_BUILTINS`) or the ``.get`` of a local dict, each as an :class:`ir.Lambda`."""
    if isinstance(node, cst.Lambda):
        params = tuple(p.name.value for p in node.params.params)
        saved = {p: (p in lw.locals, lw.types.get(p)) for p in params}
        for p in params:
            lw.locals.add(p)
            lw.types[p] = "any"
        try:
            body = lw.expr(node.body)
        finally:
            lw.pop_scope(saved)
        return ir.Lambda(params, body)
    # the lambda's parameter: a plain name (a lambda's parameters are names on every target), other than
    # the dict's whose .get the body calls
    x = "item" if not (isinstance(node, cst.Attribute) and lw.fe.code(node.value) == "item") else "item_"
    arg = ir.Name(x)
    if isinstance(node, cst.Name) and node.value in KEY_BUILTINS and node.value not in lw.locals:
        row = catalog.CATALOG[node.value]
        return ir.Lambda((x,), ir.Call(node.value, (arg,), (), row.result_type((arg,))))
    if (
        isinstance(node, cst.Attribute)
        and node.attr.value == "get"
        and isinstance(node.value, cst.Name)
        and node.value.value in lw.locals
        and lw.types.get(node.value.value) == "dict"
    ):
        d = ir.Name(node.value.value, "dict")
        return ir.Lambda((x,), ir.Call("dict.get", (d, arg), (), "any"))
    is_str_method = (
        isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "str"
    )
    is_get = isinstance(node, cst.Attribute) and node.attr.value == "get"
    is_builtin = (
        isinstance(node, cst.Name) and node.value in BUILTINS_SUPPORTED and node.value not in lw.locals
    )
    if not (is_str_method or is_get or is_builtin):
        return lw.expr(node)  # key=None, or a value the expressions report
    text = lw.fe.code(node)
    why = "Python's exceptions differ from any lowering here"
    if is_str_method and isinstance(node, cst.Attribute):
        m = node.attr.value
        why = (
            f"{text}(x) raises TypeError (\"descriptor '{m}' for 'str' objects doesn't apply\") "
            f"for an item that is not a str, where x.{m}() raises AttributeError"
        )
        instead = f"key=lambda s: s.{m}()"
    elif is_get and isinstance(node, cst.Attribute):
        why = f"`{lw.fe.code(node.value)}` is not known to be a dict here"
        instead = f"key=lambda k: {text}(k) (and make it a dict: assign it a dict literal)"
    else:
        instead = "key=lambda x: ... (or one of " + ", ".join(f"key={b}" for b in KEY_BUILTINS) + ")"
    lw.error("PFC091", node, f"`key={text}` is not supported: {why}", f"write {instead}")
    raise Unsupported


# json.dumps's options as the frontend passes them: each a literal of the kind Python takes there
_JSON_OPTIONS = {
    "sort_keys": "True or False",
    "ensure_ascii": "True or False",
    "indent": "None, an int or a str (indent=2)",
    "separators": 'a pair of strs (separators=(",", ":"))',
}


def json_options(
    lw: WorkflowLowerer, n: cst.Call, kwargs: list[tuple[str, ir.Expr]]
) -> tuple[tuple[str, ir.Expr], ...]:
    """``json.dumps``'s options, each a literal (every target formats the text by them at compile time's
    knowledge); PFC021 for one that is not, or of a kind Python rejects or reads otherwise."""
    out: list[tuple[str, ir.Expr]] = []
    for name, value in kwargs:
        v = value.value if isinstance(value, ir.Const) else None
        if isinstance(value, ir.ListExpr) and all(isinstance(x, ir.Const) for x in value.items):
            v = [cast(ir.Const, x).value for x in value.items]
        ok = {
            "sort_keys": isinstance(v, bool),
            "ensure_ascii": isinstance(v, bool),
            "indent": isinstance(value, ir.Const) and (v is None or isinstance(v, (int, str))),
            "separators": isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v),
        }[name]
        if not ok:
            lw.error(
                "PFC021",
                n,
                f"json.dumps(..., {name}=...) takes {_JSON_OPTIONS[name]} written as a literal here",
                f"write {name}= as {_JSON_OPTIONS[name]}, or format the text in a @step",
            )
            raise Unsupported
        if name == "indent" and isinstance(v, bool):
            v = int(v)  # ' ' * True is ' '
        out.append((name, ir.Const(v, "list" if name == "separators" else value.ty)))
    return tuple(out)


def value_call(lw: WorkflowLowerer, n: cst.Call) -> ir.Expr:
    f = n.func
    if isinstance(f, cst.Name) and f.value == "isinstance" and f.value not in lw.locals:
        from .typetests import isinstance_call  # it lowers its operand through the expressions

        return isinstance_call(lw, n)
    if lw.hoist is not None and hoisting.is_recorded_value(lw, n):
        op = cast(cst.Attribute, f).attr.value
        lw.hoisted += 1
        tmp = ir.NameTarget(ir.temporary(f"h{lw.hoisted}"))
        lw.hoist.extend(context.primitive(lw, n, op, tmp, lw.fe.pos(n)))
        lw.locals.add(tmp.id)
        return ir.Name(tmp.id, types.PRIMITIVE_TYPES.get(op, "any"))
    if (
        isinstance(f, cst.Attribute)
        and isinstance(f.value, cst.Name)
        and f.value.value == lw.ctx
        and f.attr.value == "patched"
    ):
        return patched(lw, n)
    helper = helpers.helper_def(callee_of(lw, f)) if isinstance(f, (cst.Name, cst.Attribute)) else None
    if helper is not None:
        return helpers.inline_value(lw, n, helper)
    if is_step_like(lw, n):
        if hoistable(lw, n):
            return hoisted_call(lw, n)
        message, hint = hoisting.refusal(lw, n)
        lw.error("PFC023", n, message, hint)
        raise Unsupported
    if formatting.is_format_call(lw, n):
        return formatting.format_call(lw, n)
    kwargs: list[tuple[str, ir.Expr]] = []
    args: list[ir.Expr] = []
    for a in n.args:
        if a.star:
            lw.error("PFC021", a, "*args in calls are not supported", "pass each argument")
            raise Unsupported
        if a.keyword is not None:
            if a.keyword.value == "key":
                kwargs.append(("key", key_function(lw, a.value)))
            else:
                kwargs.append((a.keyword.value, lw.expr(a.value)))
        elif isinstance(a.value, cst.GeneratorExp):  # consumed by this call, once: a list is the same
            from .expressions import list_comp  # the two modules import each other

            args.append(list_comp(lw, a.value))
        else:
            args.append(lw.expr(a.value))
    if datetimes.is_timedelta_class(lw, f):
        return datetimes.constructor(lw, n, args, kwargs)
    if isinstance(f, cst.Name):
        name = f.value
        if name == "str" and len(args) == 1 and isinstance(args[0], ir.Name) and args[0].ty == "error":
            return ir.ErrorField(args[0].id, "message")
        if name == "set":
            from . import sets  # it lowers its items through the expressions

            args, kwargs = check_arguments(lw, n, name, args, kwargs)
            return sets.of_items(lw, args[0] if args else ir.ListExpr(()))
        if name in BUILTINS_SUPPORTED:
            if name == "zip" and len(args) != 2:
                lw.error(
                    "PFC021",
                    n,
                    f"zip() of {_plural(len(args), 'sequence')} is not supported: it zips two here",
                    "zip two at a time, e.g. [(a, b, c) for (a, b), c in zip(zip(xs, ys), zs)]",
                )
                raise Unsupported
            args, kwargs = check_arguments(lw, n, name, args, kwargs)
            if name == "next":
                next_call(lw, n, args)
            if name in ("min", "max") and len(args) > 1 and any(k == "default" for k, _ in kwargs):
                lw.error(
                    "PFC021",
                    n,
                    f"{name}() cannot take default= with several arguments: Python raises TypeError",
                    f"write {name}([a, b], default=v), or leave default= out",
                )
                raise Unsupported
            if name == "divmod" and any(a.ty in ("datetime", "timedelta") for a in args):
                lw.error(
                    "PFC021",
                    n,
                    "divmod() of a timedelta is not supported",
                    "write (a // b, a % b)",
                )
                raise Unsupported
            if name == "round" and len(args) == 2 and isinstance(args[1], ir.Const) and args[1].value is None:
                args = args[:1]  # round(x, None) is round(x), an int
            return ir.Call(name, tuple(args), tuple(kwargs), catalog.CATALOG[name].result_type(args))
        if name in catalog.BUILTINS_REFUSED:
            lw.error(
                "PFC022",
                n,
                f"builtin {name}() is not supported in a workflow",
                "see docs/dsl.md for the supported builtins; do other work in a @step",
            )
            raise Unsupported
        not_a_step(lw, n, f)
    if (
        isinstance(f, cst.Attribute)
        and isinstance(f.value, cst.Name)
        and f.value.value == "json"
        and "json" in lw.info.imports
        and f"json.{f.attr.value}" in catalog.CATALOG
    ):
        key = f"json.{f.attr.value}"
        args, kwargs = check_arguments(lw, n, key, args, kwargs)
        options = json_options(lw, n, kwargs) if key == "json.dumps" else ()
        return ir.Call(key, tuple(args), options, catalog.CATALOG[key].result_type(args))
    root = lw.fe.dotted(f).split(".", 1)[0] if isinstance(f, cst.Attribute) else ""
    callee = callee_of(lw, f) if isinstance(f, cst.Attribute) else None
    if (
        root
        and root not in lw.locals
        and root not in lw.info.constants
        and root != lw.ctx
        and (callee is None or callee.kind == "external")
        and (root in MODULE_HINTS or lw.fe.dotted(f) in CALL_HINTS)
    ):
        dotted = lw.fe.dotted(f)
        lw.error(
            "PFC022",
            n,
            f"{dotted}() cannot be called in a workflow: it would run again, and may differ, on every replay",
            CALL_HINTS.get(dotted) or MODULE_HINTS.get(root) or "call it in a @step (its result is recorded)",
        )
        raise Unsupported
    if callee is not None:
        not_a_step(lw, n, f)  # module.function(...)
    if isinstance(f, cst.Attribute):
        return methods.method_call(lw, n, f, args, kwargs)
    lw.error("PFC022", n, f"`{lw.fe.code(f)}` cannot be called in a workflow", "call a @step")
    raise Unsupported
