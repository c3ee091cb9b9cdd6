"""Statements: one function per kind of statement, found through :data:`STATEMENTS` by the node's type.

Each takes the lowerer, the node and its location and returns the IR statements it lowers to; a construct a
workflow cannot have is reported and raises :class:`.common.Unsupported` (the rest of the body is still
lowered, so that one run reports every problem)."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import libcst as cst

from .. import ir
from ..ir import types
from . import assignments, calls, expressions, loops, methods, mutations, sets
from .common import BUILTINS_SUPPORTED, CATCH_ALL, LIST_MUTATORS, Unsupported

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

Rule = Callable[["WorkflowLowerer", Any, ir.Loc], list[ir.Stmt]]


def pass_(lw: WorkflowLowerer, n: cst.Pass, loc: ir.Loc) -> list[ir.Stmt]:
    return []


def expression(lw: WorkflowLowerer, n: cst.Expr, loc: ir.Loc) -> list[ir.Stmt]:
    """A call as a statement: a step, child workflow or ctx primitive, or ``xs.append(...)`` of a local
    list; a docstring is nothing. Anything else computes a value nobody reads (PFC020), or is a call the
    workflow cannot make (PFC022, PFC024)."""
    v = n.value
    if isinstance(v, (cst.SimpleString, cst.ConcatenatedString)):
        return []  # docstring / comment string
    if isinstance(v, cst.Call):
        special = calls.call_statement(lw, v, None, loc)
        if special is not None:
            return special
        func = v.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "add"
            and isinstance(func.value, cst.Name)
            and lw.types.get(func.value.value) == "set"
        ):
            return sets.add(lw, v, func.value.value, loc)
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in LIST_MUTATORS
            and isinstance(func.value, cst.Name)
        ):
            return assignments.list_mutation(lw, v, func, loc)
        if isinstance(func, cst.Name) and func.value == "print":
            lw.error(
                "PFC022",
                v,
                "print() is a side effect, and a workflow is replayed",
                'write ctx.log(f"...") (written once, not on replay), or do output in a @step',
            )
            raise Unsupported
        if calls.callee_of(lw, func) is not None or (
            isinstance(func, cst.Name)
            and func.value not in lw.locals
            and func.value not in BUILTINS_SUPPORTED
            and not hasattr(builtins, func.value)
        ):
            calls.not_a_step(lw, v, func)
        if isinstance(func, cst.Attribute) and methods.value_receiver(lw, func.value):
            methods.method_statement(lw, v, func)
    lw.error(
        "PFC020",
        n,
        "an expression statement must be a call of a step, a workflow or a ctx primitive",
        "assign the value to a variable, or remove the statement",
    )
    raise Unsupported


def if_(lw: WorkflowLowerer, n: cst.If, loc: ir.Loc) -> list[ir.Stmt]:
    before, test = lw.hoisting_expr(n.test)
    body = lw.suite(n.body)
    orelse: list[ir.Stmt] = []
    if isinstance(n.orelse, cst.If):
        orelse = if_(lw, n.orelse, lw.fe.pos(n.orelse))
    elif isinstance(n.orelse, cst.Else):
        orelse = lw.suite(n.orelse.body)
    return [*before, ir.If(test, tuple(body), tuple(orelse), loc)]


def _else(lw: WorkflowLowerer, n: cst.While | cst.For) -> list[ir.Stmt]:
    """The loop's ``else`` body (loops.with_else runs it only when no ``break`` ran)."""
    return lw.suite(n.orelse.body) if n.orelse is not None else []


def while_(lw: WorkflowLowerer, n: cst.While, loc: ir.Loc) -> list[ir.Stmt]:
    before, test = lw.hoisting_expr(n.test) if n.orelse is None else ([], lw.expr(n.test))
    lw.loop_depth += 1
    body = lw.suite(n.body)
    lw.loop_depth -= 1
    if before:  # `while more(x):` asks the step before each iteration: `while True:`, left when it says no
        stop = ir.If(ir.UnaryOp("not", test, "bool"), (ir.Break(loc),), (), loc)
        return [ir.While(ir.Const(True, "bool"), (*before, stop, *body), loc)]
    return loops.with_else(ir.While(test, tuple(body), loc), _else(lw, n))


def for_(lw: WorkflowLowerer, n: cst.For, loc: ir.Loc) -> list[ir.Stmt]:
    if n.asynchronous is not None:
        lw.error("PFC020", n, "async for is not supported", "use a plain for loop")
    before, it = lw.hoisting_expr(n.iter)
    target = assignments.assign_target(lw, n.target)
    lw.loop_depth += 1
    body = lw.suite(n.body)
    lw.loop_depth -= 1
    return [*before, *loops.with_else(ir.For(target, it, tuple(body), loc), _else(lw, n))]


def break_or_continue(lw: WorkflowLowerer, n: cst.Break | cst.Continue, loc: ir.Loc) -> list[ir.Stmt]:
    word = "break" if isinstance(n, cst.Break) else "continue"
    if lw.loop_depth == 0:
        lw.error("PFC035", n, f"`{word}` outside a loop", "remove it")
        raise Unsupported
    return [ir.Break(loc) if isinstance(n, cst.Break) else ir.Continue(loc)]


def return_(lw: WorkflowLowerer, n: cst.Return, loc: ir.Loc) -> list[ir.Stmt]:
    if lw.finally_depth:
        lw.error("PFC035", n, "return inside finally is not supported", "return after the try statement")
    if n.value is None:
        return [ir.Return(ir.Const(None, "none"), loc)]
    if isinstance(n.value, cst.Call):
        tmp = ir.temporary("ret")
        special = calls.call_statement(lw, n.value, ir.NameTarget(tmp), loc)
        if special is not None:
            last = special[-1]
            ty = types.PRIMITIVE_TYPES.get(last.op, "any") if isinstance(last, ir.Primitive) else "any"
            return [*special, ir.Return(ir.Name(tmp, ty), loc)]
    return [ir.Return(lw.expr(n.value), loc)]


def assert_(lw: WorkflowLowerer, n: cst.Assert, loc: ir.Loc) -> list[ir.Stmt]:
    test = lw.expr(n.test)
    msg = lw.expr(n.msg) if n.msg is not None else ir.Const("", "str")
    return [ir.If(ir.UnaryOp("not", test, "bool"), (ir.Raise("AssertionError", msg, loc),), (), loc)]


def function_def(lw: WorkflowLowerer, n: cst.FunctionDef, loc: ir.Loc) -> list[ir.Stmt]:
    """A nested def is a ``ctx.parallel`` branch (lowered where the parallel is), nothing else."""
    if n.name.value in lw.nested_defs and _used_in_parallel(lw, n.name.value):
        return []
    lw.error(
        "PFC020",
        n,
        "a nested function is only supported as a ctx.parallel branch",
        "move it to module level as a @step, or pass it to ctx.parallel(...)",
    )
    raise Unsupported


def _used_in_parallel(lw: WorkflowLowerer, name: str) -> bool:
    code = lw.fe.code(lw.fn.node)
    return f"{lw.ctx}.parallel" in code and name in code


def raise_(lw: WorkflowLowerer, n: cst.Raise, loc: ir.Loc) -> list[ir.Stmt]:
    return [_raise(lw, n, loc)]


def _raise(lw: WorkflowLowerer, n: cst.Raise, loc: ir.Loc) -> ir.Raise:
    if n.exc is None:
        return ir.Raise(None, None, loc, lw.handler_vars[-1] if lw.handler_vars else None)
    exc = n.exc
    if isinstance(exc, cst.Name) and exc.value in lw.error_vars:
        return ir.Raise(None, None, loc, exc.value)
    if isinstance(exc, (cst.Name, cst.Attribute)):
        calls.callee_of(lw, exc)  # PFC026 for a class imported only under `if TYPE_CHECKING:`
        return ir.Raise(lw.fe.dotted(exc).rsplit(".", 1)[-1], ir.Const("", "str"), loc)
    if isinstance(exc, cst.Call) and isinstance(exc.func, (cst.Name, cst.Attribute)):
        tname = lw.fe.dotted(exc.func).rsplit(".", 1)[-1]
        callee = calls.callee_of(lw, exc.func)
        if callee is not None and callee.kind in ("step", "workflow"):
            lw.error("PFC034", exc, "raise needs an exception class", 'write raise ValueError("...")')
            raise Unsupported
        if len(exc.args) > 1 or any(a.keyword is not None for a in exc.args):
            lw.error(
                "PFC034",
                exc,
                "raise takes an exception with at most one message argument",
                'write raise ValueError(f"...{x}...")',
            )
            raise Unsupported
        msg: ir.Expr = ir.Const("", "str")
        if exc.args:
            arg = lw.expr(exc.args[0].value)
            if tname in lw.fe.exception_matches(["KeyError"]):  # str(KeyError(k)) is repr(k)
                msg = ir.FString((ir.FormattedValue(arg, "r"),))
            else:
                msg = expressions.str_of(lw, arg)
        return ir.Raise(tname, msg, loc)
    lw.error("PFC034", exc, "raise must name an exception class", 'write raise ValueError("...")')
    raise Unsupported


def try_(lw: WorkflowLowerer, n: cst.Try, loc: ir.Loc) -> list[ir.Stmt]:
    body = lw.suite(n.body)
    handlers: list[ir.Handler] = []
    for h in n.handlers:
        names: list[str] = []
        catch_all = False
        if h.type is None:
            catch_all = True
        else:
            elts = h.type.elements if isinstance(h.type, cst.Tuple) else None
            exprs = [e.value for e in elts] if elts is not None else [h.type]
            for e in exprs:
                if isinstance(e, (cst.Name, cst.Attribute)):
                    calls.callee_of(lw, e)  # PFC026 for a class imported only under `if TYPE_CHECKING:`
                    nm = lw.fe.dotted(e).rsplit(".", 1)[-1]
                    names.append(nm)
                    if nm in CATCH_ALL:
                        catch_all = True
                else:
                    lw.error(
                        "PFC033",
                        e,
                        "except needs exception class names",
                        "write except (ValueError, KeyError) as e:",
                    )
        var = None
        if h.name is not None and isinstance(h.name.name, cst.Name):
            var = h.name.name.value
        lw.handler_vars.append(var)
        saved, saved_events = dict(lw.step_failures_only), dict(lw.event_failures_only)
        if var:  # `except StepFailed as e`: e is a step's failure, its attributes exist
            lw.step_failures_only[var] = bool(names) and not catch_all and set(names) == {"StepFailed"}
            # `except EventFailed as e`: a failure event's, whose e.type and e.message exist
            lw.event_failures_only[var] = bool(names) and not catch_all and set(names) == {"EventFailed"}
        try:
            hbody = lw.suite(h.body)
        finally:
            lw.handler_vars.pop()
            lw.step_failures_only, lw.event_failures_only = saved, saved_events
        matches = () if catch_all else lw.fe.exception_matches(names)
        handlers.append(ir.Handler(tuple(names), matches, catch_all, var, tuple(hbody)))
    orelse = lw.suite(n.orelse.body) if n.orelse is not None else []
    finalbody: list[ir.Stmt] = []
    if n.finalbody is not None:
        lw.finally_depth += 1
        finalbody = lw.suite(n.finalbody.body)
        lw.finally_depth -= 1
    return [ir.Try(tuple(body), tuple(handlers), tuple(orelse), tuple(finalbody), loc)]


def _refused(word: str, hint: str) -> Rule:
    """A statement no workflow may contain: PFC020 naming it, and what to write instead."""

    def refuse(lw: WorkflowLowerer, n: cst.CSTNode, loc: ir.Loc) -> list[ir.Stmt]:
        lw.error("PFC020", n, f"`{word}` is not supported in a workflow", hint)
        raise Unsupported

    return refuse


def unsupported(lw: WorkflowLowerer, n: cst.CSTNode, loc: ir.Loc) -> list[ir.Stmt]:
    """Any statement the table does not name."""
    lw.error(
        "PFC020",
        n,
        f"statement `{lw.fe.code(n).strip().splitlines()[0]}` is not supported in a workflow",
        "see docs/dsl.md for the supported subset",
    )
    raise Unsupported


_IMPORT = _refused("import", "import at module level, and call the code from a @step")
STATEMENTS: dict[type[cst.CSTNode], Rule] = {
    cst.Pass: pass_,
    cst.Expr: expression,
    cst.Assign: assignments.assign_statement,
    cst.AnnAssign: assignments.annotated,
    cst.AugAssign: assignments.augmented,
    cst.If: if_,
    cst.While: while_,
    cst.For: for_,
    cst.Break: break_or_continue,
    cst.Continue: break_or_continue,
    cst.Return: return_,
    cst.Raise: raise_,
    cst.Try: try_,
    cst.Assert: assert_,
    cst.FunctionDef: function_def,
    cst.With: _refused("with", "do the work inside a @step"),
    cst.Global: _refused("global", "keep state in local variables"),
    cst.Nonlocal: _refused("nonlocal", "keep state in local variables"),
    cst.Del: mutations.delete,
    cst.Import: _IMPORT,
    cst.ImportFrom: _IMPORT,
    cst.ClassDef: _refused("class", "define classes at module level"),
    cst.Match: _refused("match", "use if/elif/else"),
    cst.TryStar: _refused("try/except*", "use try/except"),
}
