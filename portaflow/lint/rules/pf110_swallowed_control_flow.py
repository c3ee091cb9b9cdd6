"""PF110: handlers that swallow the engine's control-flow signals (bare ``except:``, ``except
BaseException``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from portaflow.lint.engine.scopes import External, Resolved
from portaflow.lint.rules.base import Fix, Invalid, Report, Rule

if TYPE_CHECKING:
    from portaflow.lint.engine.analyze import Checker

_MESSAGE = (
    "{what} also catches the BaseException signals the engine raises to suspend or stop the workflow; "
    "swallowing them breaks sleeps, waits and cancellation"
)


def _reraises(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    """A handler that re-raises what it caught (bare ``raise`` or ``raise <its name>``) is harmless."""
    name = (
        handler.name.name.value
        if handler.name is not None and isinstance(handler.name.name, cst.Name)
        else None
    )
    body = handler.body.body if isinstance(handler.body, cst.IndentedBlock) else [handler.body]
    for stmt in body:
        small_statements = (
            stmt.body if isinstance(stmt, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) else []
        )
        for small in small_statements:
            if isinstance(small, cst.Raise) and (
                small.exc is None or (isinstance(small.exc, cst.Name) and small.exc.value == name)
            ):
                return True
    return False


def _to_exception(_updated: cst.CSTNode) -> cst.CSTNode:
    return cst.Name("Exception")


def _bare_to_exception(updated: cst.CSTNode) -> cst.CSTNode:
    assert isinstance(updated, cst.ExceptHandler)
    return updated.with_changes(type=cst.Name("Exception"), whitespace_after_except=cst.SimpleWhitespace(" "))


class SwallowedControlFlow(Rule):
    code = "PF110"
    name = "swallowed-control-flow"
    summary = (
        "Catches everything around workflow code: bare `except:`, `except BaseException` (also in a tuple or "
        "`except*`) and `contextlib.suppress(BaseException)`, unless the handler re-raises with a "
        "bare `raise`."
    )
    why = (
        "To suspend a workflow (a sleep, a wait for an event, a step running elsewhere) or to cancel it, the "
        "engine raises internal exceptions that derive from BaseException through the workflow's "
        "code. A handler "
        "that catches them keeps the workflow running past a point where it must stop, so it repeats "
        "steps, skips "
        "waits, or ignores cancellation. `StepFailed` and ordinary errors derive from Exception."
    )
    replacement = "catch specific errors, `StepFailed` or `Exception`; or end the handler with a bare `raise`"
    fix_description = (
        "`except:` and `except BaseException` become `except Exception` (which never catches the engine's "
        "signals)."
    )
    USE_INSTEAD = """\
from portaflow import StepFailed, step, workflow

@step
def charge(order_id: str) -> dict: ...

@workflow
def checkout(ctx, order_id: str) -> dict:
    try:
        return charge(order_id)
    except StepFailed as failure:
        return {"error": str(failure)}
"""
    VALID = (
        """\
from portaflow import StepFailed, workflow

@workflow
def wf(ctx, order):
    try:
        return order["id"]
    except (KeyError, StepFailed):
        return None
    except Exception:
        return None
""",
        # re-raising keeps the engine's signals flowing
        """\
from portaflow import workflow

@workflow
def wf(ctx, order):
    try:
        return order["id"]
    except BaseException as exc:
        print("failed", exc)
        raise
""",
        """\
from portaflow import step, workflow

@step
def risky():
    try:
        return 1 / 0
    except:
        return None

@workflow
def wf(ctx):
    return risky()
""",
    )
    INVALID = (
        Invalid(
            """\
from portaflow import StepFailed, step, workflow

@step
def charge(order_id: str) -> dict: ...

@workflow
def checkout(ctx, order_id: str) -> dict:
    try:
        return charge(order_id)
    except:
        return {"error": "failed"}
""",
            (10,),
            fixed="""\
from portaflow import StepFailed, step, workflow

@step
def charge(order_id: str) -> dict: ...

@workflow
def checkout(ctx, order_id: str) -> dict:
    try:
        return charge(order_id)
    except Exception:
        return {"error": "failed"}
""",
        ),
        Invalid(
            """\
import contextlib
from portaflow import workflow

def safe(fn):
    try:
        return fn()
    except (ValueError, BaseException) as exc:
        return exc

@workflow
def wf(ctx):
    with contextlib.suppress(BaseException):
        ctx.sleep("1h")
    return safe(lambda: 1)
""",
            (7, 12),
            fixed="""\
import contextlib
from portaflow import workflow

def safe(fn):
    try:
        return fn()
    except (ValueError, Exception) as exc:
        return exc

@workflow
def wf(ctx):
    with contextlib.suppress(Exception):
        ctx.sleep("1h")
    return safe(lambda: 1)
""",
        ),
    )

    def visit_ExceptHandler(self, node: cst.ExceptHandler, checker: Checker) -> None:
        self._check_handler(node, checker)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler, checker: Checker) -> None:
        self._check_handler(node, checker)

    def _check_handler(self, node: cst.ExceptHandler | cst.ExceptStarHandler, checker: Checker) -> None:
        if _reraises(node):
            return
        if node.type is None:
            assert isinstance(node, cst.ExceptHandler)
            fix = Fix(node, _bare_to_exception, "replace with `except Exception:`")
            checker.report(SwallowedControlFlow, Report(node, _MESSAGE.format(what="bare `except:`"), fix))
            return
        for expr in _handler_types(node.type):
            if checker.qname(expr) == "builtins.BaseException":
                fix = Fix(expr, _to_exception, "replace `BaseException` with `Exception`")
                checker.report(
                    SwallowedControlFlow, Report(node, _MESSAGE.format(what="`except BaseException`"), fix)
                )
                return

    def check_call(self, call: cst.Call, callee: Resolved, checker: Checker) -> Sequence[Report]:
        if not isinstance(callee, External) or callee.qname != "contextlib.suppress":
            return ()
        for arg in call.args:
            for expr in _handler_types(arg.value):
                if checker.qname(expr) == "builtins.BaseException":
                    fix = Fix(expr, _to_exception, "replace `BaseException` with `Exception`")
                    return (Report(call, _MESSAGE.format(what="`contextlib.suppress(BaseException)`"), fix),)
        return ()


def _handler_types(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(expr, cst.Tuple):
        return [element.value for element in expr.elements]
    return [expr]
