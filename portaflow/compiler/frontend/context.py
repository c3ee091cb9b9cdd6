"""The Context's primitives (``ctx.sleep``, ``ctx.wait_for_event``, ``ctx.map``, ``ctx.parallel`` and the
recorded values), one function each, found through :data:`PRIMITIVES`; ``ctx.run_id`` is an expression."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, cast

import libcst as cst

from .. import ir
from . import calls, childruns
from .common import NOT_LITERAL, Unsupported
from .helpers import helper_def

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

Primitive = Callable[["WorkflowLowerer", cst.Call, str, "ir.Target | None", ir.Loc], list[ir.Stmt]]
RECORDED = ("now", "uuid4", "random", "idempotency_key")  # values a replay reads from the log


def primitive(
    lw: WorkflowLowerer, call: cst.Call, op: str, target: ir.Target | None, loc: ir.Loc
) -> list[ir.Stmt]:
    """``ctx.<op>(...)`` as statements assigning ``target`` (None: the value is not kept)."""
    rule = PRIMITIVES.get(op)
    if rule is None:
        lw.error(
            "PFC030",
            call.func,
            f"ctx.{op} is not a Context primitive",
            "the primitives are now, uuid4, random, sleep, wait_for_event, map, parallel, "
            "idempotency_key, patched, start_workflow, log, run_id",
        )
        raise Unsupported
    return rule(lw, call, op, target, loc)


def recorded(
    lw: WorkflowLowerer, call: cst.Call, op: str, target: ir.Target | None, loc: ir.Loc
) -> list[ir.Stmt]:
    """``ctx.now()``, ``uuid4()``, ``random()``, ``idempotency_key()``: values recorded once, replayed."""
    if call.args:
        lw.error("PFC030", call, f"ctx.{op}() takes no arguments", f"write ctx.{op}()")
    return [ir.Primitive(cast(Any, op), target, loc)]


def sleep(
    lw: WorkflowLowerer, call: cst.Call, op: str, target: ir.Target | None, loc: ir.Loc
) -> list[ir.Stmt]:
    """``ctx.sleep(duration)``: a durable timer."""
    args = [a for a in call.args if a.keyword is None]
    kwargs = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    if len(args) != 1 or kwargs:
        lw.error("PFC030", call, "ctx.sleep takes one duration", 'write ctx.sleep("5m")')
        raise Unsupported
    seconds = _duration(lw, args[0].value, "sleep duration", "ctx.sleep")
    if seconds is None:
        raise Unsupported
    if target is not None:
        lw.error("PFC030", call, "ctx.sleep returns nothing", "call it as a statement")
    return [ir.Sleep(seconds, loc)]


RUN_TIME_DURATION = ("int", "float", "str", "timedelta", "any")  # parse_duration's inputs, read at run time


def _duration(lw: WorkflowLowerer, node: cst.BaseExpression, what: str, fn: str) -> ir.Expr | None:
    """A duration argument: a ``Const`` of seconds when it is known when compiling (a literal, a module
    constant, ``timedelta`` of literals), else the expression itself, which the target reads at run time
    as the local engine's ``parse_duration`` does (a timedelta: its total_seconds()). None: refused."""
    lit = lw.fe.literal(node)
    constant = isinstance(node, cst.Name) and lw.fe.info is not None and node.value in lw.fe.info.constants
    literal_td = lw.fe.is_timedelta(node) and all(
        lw.fe.literal(a.value) is not NOT_LITERAL for a in cast(cst.Call, node).args
    )
    if lit is not NOT_LITERAL or constant or literal_td:
        d = lw.fe.duration(node, what)
        return ir.Const(d, "float") if d is not None else None
    e = lw.expr(node)
    if e.ty not in RUN_TIME_DURATION:
        lw.error(
            "PFC030",
            node,
            f'{fn} needs a duration: a number of seconds, a string such as "5m" or a timedelta, not a {e.ty}',
            f'write {fn}("5m") or {fn}(seconds)'
            if fn == "ctx.sleep"
            else f'write {fn}("approval", timeout="3d")',
        )
        return None
    return e


def wait_for_event(
    lw: WorkflowLowerer, call: cst.Call, op: str, target: ir.Target | None, loc: ir.Loc
) -> list[ir.Stmt]:
    """``ctx.wait_for_event("name", timeout=...)``: the event's payload, None after the timeout."""
    args = [a for a in call.args if a.keyword is None]
    kwargs = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    name_node = args[0].value if args else kwargs.get("name")
    literal = lw.fe.literal(name_node) if name_node is not None else None
    name: str | ir.Expr
    if isinstance(literal, str) and literal:
        name = literal
    elif name_node is not None and literal is NOT_LITERAL:
        name = lw.expr(name_node)  # computed at run time: an event name per map item, say
        if name.ty not in ("str", "any"):
            lw.error(
                "PFC030",
                name_node,
                "ctx.wait_for_event needs the event name as a string",
                'write ctx.wait_for_event(f"approve:{doc[\'id\']}", timeout="3d")',
            )
            raise Unsupported
    else:
        lw.error(
            "PFC030",
            name_node or call,
            "ctx.wait_for_event needs the event name as a non-empty string",
            'write ctx.wait_for_event("approval", timeout="3d")',
        )
        raise Unsupported
    tnode = args[1].value if len(args) > 1 else kwargs.get("timeout")
    timeout: float | None = None
    computed: ir.Expr | None = None  # a timeout read at run time (IR 7)
    if tnode is not None and not (isinstance(tnode, cst.Name) and tnode.value == "None"):
        given = _duration(lw, tnode, "wait_for_event timeout", "ctx.wait_for_event")
        if isinstance(given, ir.Const):
            timeout = float(given.value)
        elif given is not None:
            computed = given
    raises = _literal_option(lw, kwargs, "raise_on_timeout", bool, "raise_on_timeout=True")
    label = _label(lw, kwargs.get("label"))
    if raises and timeout is None and computed is None:
        lw.error(
            "PFC030",
            kwargs["raise_on_timeout"],
            "ctx.wait_for_event raise_on_timeout=True needs a timeout",
            'write ctx.wait_for_event("approval", timeout="3d", raise_on_timeout=True)',
        )
    unknown = sorted(set(kwargs) - {"name", "timeout", "raise_on_timeout", "label"})
    if unknown or len(args) > 2:
        lw.error(
            "PFC030",
            kwargs[unknown[0]] if unknown else call,
            "ctx.wait_for_event takes an event name, timeout, raise_on_timeout and label",
            'write ctx.wait_for_event("approval", timeout="3d", raise_on_timeout=True, label="sign-off")',
        )
    error: Literal["EventTimeout"] | None = "EventTimeout" if raises else None
    return [ir.WaitForEvent(name, timeout, target, loc, timeout_error=error, label=label, timeout=computed)]


def _label(lw: WorkflowLowerer, node: cst.BaseExpression | None) -> str | ir.Expr | None:
    """``label=``: a non-empty literal, or an f-string with text of its own (never empty) whose parts
    cannot raise (``f"{role} #{n}"`` of locals), evaluated where Python evaluates the argument."""
    if node is None:
        return None
    if isinstance(node, cst.FormattedString) and any(
        isinstance(p, cst.FormattedStringText) and p.value for p in node.parts
    ):
        value = lw.expr(node)
        if not ir.may_raise(value):
            return value
    literal = lw.fe.literal(node)
    if isinstance(literal, str) and literal:
        return literal
    lw.error(
        "PFC030",
        node,
        "ctx.wait_for_event label must be a non-empty literal str, or an f-string with text of its own "
        "whose parts cannot raise",
        'write label="manager sign-off", or label=f"{role} #{n}" of locals (assign a computed part first)',
    )
    return None


def _literal_option(
    lw: WorkflowLowerer, kwargs: dict[str, cst.BaseExpression], key: str, kind: type, example: str
) -> Any:
    """The literal value of ``ctx.wait_for_event``'s option ``key`` (None when not given): a target builds
    the wait from it, so it must be known when compiling."""
    node = kwargs.get(key)
    if node is None:
        return None
    value = lw.fe.literal(node)
    if not isinstance(value, kind) or (isinstance(value, str) and not value):
        what = f"ctx.wait_for_event {key} must be a literal {kind.__name__}"
        lw.error("PFC030", node, what, f"write {example}")
        return None
    return value


def map_(
    lw: WorkflowLowerer, call: cst.Call, op: str, target: ir.Target | None, loc: ir.Loc
) -> list[ir.Stmt]:
    """``ctx.map(step, items, max_concurrency=N)``: the step over every item, results in order."""
    args = [a for a in call.args if a.keyword is None]
    kwargs = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    if len(args) != 2:
        lw.error(
            "PFC030",
            call,
            "ctx.map takes a step and a list of items",
            "write ctx.map(fetch, urls, max_concurrency=4)",
        )
        raise Unsupported
    fnode = args[0].value
    mapped = calls.callee_of(lw, fnode)
    if mapped is None or mapped.kind not in ("step", "workflow") or mapped.fn is None:
        lw.error(
            "PFC030",
            fnode,
            "ctx.map's first argument must be a @step or @workflow function (of this module or imported "
            "from the project)",
            "define the per-item work as a @step taking one argument, or a @workflow taking (ctx, item)",
        )
        raise Unsupported
    step_key: str | None = None
    wf_key: str | None = None
    if mapped.kind == "workflow":
        wf_key = _mapped_workflow(lw, fnode, mapped.fn)
    else:
        step_key, sd = lw.fe.lower_step(mapped.fn)
        if len(sd.required) > 1:
            lw.error(
                "PFC030",
                fnode,
                f"step {sd.name!r} must take the item as its only required argument",
                "give the other parameters defaults",
            )
    items = lw.expr(args[1].value)
    mc: int | ir.Expr | None = None
    options: dict[str, Any] = {}
    for k, v in kwargs.items():
        if k in FAILURE_OPTIONS:
            options[k] = failure_option(lw, "ctx.map", k, v)
            continue
        if k != "max_concurrency":
            lw.error(
                "PFC030",
                v,
                f"ctx.map has no argument {k!r}",
                "use max_concurrency=N, return_exceptions=True, tolerated_failures=N or "
                "tolerated_failure_percentage=P",
            )
            continue
        mc = max_concurrency(lw, v)
    return [ir.MapCall(step_key, items, mc, target, loc, workflow=wf_key, **options)]


def failure_option(lw: WorkflowLowerer, what: str, key: str, v: cst.BaseExpression) -> Any:
    """A literal ``return_exceptions`` / ``tolerated_failures`` / ``tolerated_failure_percentage``
    (docs/semantics.md, "Partial failure"): a target builds the fan-out's catch and count from it."""
    lit = lw.fe.literal(v)
    check, example = FAILURE_OPTIONS[key]
    if lit is NOT_LITERAL or not check(lit):
        lw.error("PFC030", v, f"{what} {key} must be {_FAILURE_WHAT[key]}", f"write {example}")
        return False if key == "return_exceptions" else None
    return float(lit) if key == "tolerated_failure_percentage" and lit is not None else lit


def _count(v: object) -> bool:
    return v is None or (isinstance(v, int) and not isinstance(v, bool) and v >= 0)


def _percentage(v: object) -> bool:
    return v is None or (isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 100)


FAILURE_OPTIONS: dict[str, tuple[Callable[[object], bool], str]] = {
    "return_exceptions": (lambda v: isinstance(v, bool), "return_exceptions=True"),
    "tolerated_failures": (_count, "tolerated_failures=2"),
    "tolerated_failure_percentage": (_percentage, "tolerated_failure_percentage=10"),
}
_FAILURE_WHAT = {
    "return_exceptions": "True or False (a literal)",
    "tolerated_failures": "a literal integer >= 0 (a count)",
    "tolerated_failure_percentage": "a literal number from 0 to 100 (a percentage)",
}


def _mapped_workflow(lw: WorkflowLowerer, fnode: cst.BaseExpression, fn: Any) -> str:
    """The key of the child workflow ``ctx.map`` runs per item: it takes ``(ctx, item)``."""
    if lw.fe.step_key(fn) in lw.stack:
        lw.error(
            "PFC032",
            fnode,
            f"workflow {fn.function!r} maps itself (recursion cannot be inlined)",
            "use a while loop instead of recursion",
        )
        raise Unsupported
    wf_key, child = lw.fe.lower_workflow(fn, lw.stack)
    if child is None:
        raise Unsupported
    if not child.params or sum(p.default is None for p in child.params) > 1:
        lw.error(
            "PFC030",
            fnode,
            f"workflow {child.name!r} must take the item as its only required argument after ctx",
            f"write def {child.name}(ctx, item): ... (give other parameters defaults)",
        )
    return wf_key


def max_concurrency(lw: WorkflowLowerer, v: cst.BaseExpression) -> int | ir.Expr | None:
    """``max_concurrency=`` of ctx.map and ctx.parallel: an int literal >= 1, None, or an int expression."""
    lit = lw.fe.literal(v)
    if lit is None:
        return None
    if lit is NOT_LITERAL:
        mc = lw.expr(v)
        if mc.ty not in ("int", "any"):
            lw.error("PFC030", v, "max_concurrency must be an integer", "write max_concurrency=4")
        return mc
    if not isinstance(lit, int) or isinstance(lit, bool) or lit < 1:
        lw.error(
            "PFC030",
            v,
            "max_concurrency must be an integer literal >= 1 (or None)",
            "write max_concurrency=4",
        )
        return None
    return lit


def parallel(
    lw: WorkflowLowerer, call: cst.Call, op: str, target: ir.Target | None, loc: ir.Loc
) -> list[ir.Stmt]:
    """``ctx.parallel(lambda: a(x), branch_def, ..., max_concurrency=N)``: branches of step calls, results
    in order."""
    branches: list[ir.Branch] = []
    mc: int | ir.Expr | None = None
    options: dict[str, Any] = {}
    for a in call.args:
        if a.keyword is not None and a.keyword.value == "max_concurrency" and not a.star:
            mc = max_concurrency(lw, a.value)
            continue
        if a.keyword is not None and a.keyword.value in FAILURE_OPTIONS and not a.star:
            options[a.keyword.value] = failure_option(lw, "ctx.parallel", a.keyword.value, a.value)
            continue
        if a.keyword is not None or a.star:
            lw.error(
                "PFC031",
                a,
                "ctx.parallel takes branches as positional arguments",
                "write ctx.parallel(lambda: a(x), lambda: b(y))",
            )
            continue
        b = parallel_branch(lw, a.value, loc)
        if b is not None and _has_patched(b):
            lw.error(
                "PFC031",
                a.value,
                "a parallel branch may not call ctx.patched()",
                "call ctx.patched() before ctx.parallel and use its result in the branch",
            )
        elif b is not None:
            branches.append(b)
    return [ir.ParallelCall(tuple(branches), target, loc, mc, **options)]


def parallel_branch(lw: WorkflowLowerer, node: cst.BaseExpression, loc: ir.Loc) -> ir.Branch | None:
    if isinstance(node, cst.Lambda):
        if node.params.params:
            lw.error("PFC031", node, "a parallel branch takes no arguments", "write lambda: step(x)")
            return None
        body = node.body
        callee = calls.callee_of(lw, body.func) if isinstance(body, cst.Call) else None
        helper = helper_def(callee)
        if isinstance(body, cst.Call) and _is_sleep(lw, body):  # lambda: ctx.sleep(d) gives None
            return ir.Branch(tuple(calls.call_statement(lw, body, None, loc) or []), ir.Const(None, "none"))
        if isinstance(body, cst.Call) and (calls.is_step_like(lw, body) or helper):
            tmp = ir.NameTarget(ir.temporary("branch"))
            stmts = calls.call_statement(lw, body, tmp, loc) or []
            return ir.Branch(tuple(stmts), ir.Name(tmp.id))
        return ir.Branch((), lw.expr(body))
    if isinstance(node, cst.Name) and node.value in lw.nested_defs:
        fdef = lw.nested_defs[node.value]
        if fdef.params.params:
            lw.error("PFC031", fdef, "a parallel branch takes no arguments", f"write def {node.value}(): ...")
            return None
        body_nodes = lw.body_statements(fdef.body)
        lw.collect_locals(body_nodes)
        result: ir.Expr = ir.Const(None, "none")
        ends = [i for i, s in enumerate(body_nodes) if isinstance(s, cst.Return)]
        lowered = lw.lower_body(body_nodes[: ends[0]] if ends else body_nodes)  # hoisting as in any body
        ret = body_nodes[ends[0]] if ends else None
        if isinstance(ret, cst.Return) and ret.value is not None:
            if isinstance(ret.value, cst.Call) and calls.needs_statement(lw, ret.value):
                tmp = ir.NameTarget(ir.temporary("branch"))
                lowered += calls.call_statement(lw, ret.value, tmp, loc) or []
                result = ir.Name(tmp.id)
            else:  # `return [ready, ctx.wait_for_event(e)]`: the calls Python runs first, as statements
                hoisted, result = lw.hoisting_expr(ret.value)
                lowered += hoisted
        return ir.Branch(tuple(lowered), result)
    lw.error(
        "PFC031",
        node,
        "a parallel branch must be a lambda or a nested def",
        "write ctx.parallel(lambda: a(x), lambda: b(y))",
    )
    return None


def patched(
    lw: WorkflowLowerer, call: cst.Call, op: str, target: ir.Target | None, loc: ir.Loc
) -> list[ir.Stmt]:
    """``v = ctx.patched("id")`` as a statement: an expression like any other (it takes no position)."""
    value = calls.patched(lw, call)
    return [] if target is None else [ir.Assign(target, value, loc)]


def log(lw: WorkflowLowerer, call: cst.Call, op: str, target: ir.Target | None, loc: ir.Loc) -> list[ir.Stmt]:
    """``ctx.log(message, **fields)``: ``str(message)`` and the fields, written once (no position)."""
    args = [a for a in call.args if a.keyword is None]
    named = [a for a in call.args if a.keyword is not None]
    if len(args) != 1 or any(a.star for a in call.args) or target is not None:
        lw.error(
            "PFC030",
            call,
            "ctx.log takes one message and keyword fields, as a statement of its own",
            'write ctx.log(f"charged {order_id}", amount=amount)',
        )
        raise Unsupported
    message = lw.expr(args[0].value)
    if message.ty != "str":  # logging writes str(message), as the local engine does
        message = ir.Call("str", (message,), (), "str")
    keys: list[ir.Expr] = []
    values: list[ir.Expr] = []
    for a in named:
        assert a.keyword is not None
        keys.append(ir.Const(a.keyword.value, "str"))
        values.append(lw.expr(a.value))
    return [ir.Log(message, ir.DictExpr(tuple(keys), tuple(values)), loc)]


PRIMITIVES: dict[str, Primitive] = {
    **dict.fromkeys(RECORDED, recorded),
    "patched": patched,
    "sleep": sleep,
    "wait_for_event": wait_for_event,
    "map": map_,
    "parallel": parallel,
    "start_workflow": lambda lw, call, op, target, loc: childruns.start_workflow(lw, call, op, target, loc),
    "log": log,
}


def _is_sleep(lw: WorkflowLowerer, call: cst.Call) -> bool:
    f = call.func
    return (
        isinstance(f, cst.Attribute)
        and isinstance(f.value, cst.Name)
        and f.value.value == lw.ctx
        and f.attr.value == "sleep"
    )


def _has_patched(node: Any) -> bool:
    """Whether a branch asks ``ctx.patched`` (PFC031): a change's marker is the workflow's own, asked once
    before the fan-out (a branch may do anything else a workflow does)."""
    if isinstance(node, ir.Patched):
        return True
    if isinstance(node, tuple):
        return any(_has_patched(x) for x in node)
    fields = getattr(node, "__dataclass_fields__", None)
    return fields is not None and any(_has_patched(getattr(node, f)) for f in fields)
