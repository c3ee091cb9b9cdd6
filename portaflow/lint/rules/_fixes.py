"""Small builders shared by the rules' automatic fixes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import libcst as cst

from portaflow.lint.engine.scopes import External, Resolved
from portaflow.lint.rules.base import Fix

if TYPE_CHECKING:
    from portaflow.lint.engine.analyze import Checker

NO_CONTEXT = (
    "no automatic fix here: no workflow Context is in scope "
    "(pass the workflow's ctx to this function as a parameter annotated `Context`)"
)


def context_fix(
    checker: Checker,
    node: cst.CSTNode,
    callee: Resolved,
    template: Callable[[str, cst.CSTNode], cst.BaseExpression],
    shown: str,
    also_unused: tuple[Resolved, ...] = (),
) -> tuple[Fix | None, str | None]:
    """A fix that rewrites ``node`` with the name of the workflow's Context, where that name still refers to
    the Context; else (None, why not)."""
    context, why_not = checker.context_for(node)
    if context is None:
        return None, why_not or NO_CONTEXT
    refs = tuple(
        r.import_ref for r in (callee, *also_unused) if isinstance(r, External) and r.import_ref is not None
    )

    def build(updated: cst.CSTNode) -> cst.CSTNode:
        return template(context, updated)

    return Fix(node, build, f"replace with `{shown.format(ctx=context)}`", refs), None


def template(code: str) -> Callable[[str, cst.CSTNode], cst.BaseExpression]:
    """A fix template without arguments: ``"{ctx}.now().timestamp()"``."""

    def build(context: str, _updated: cst.CSTNode) -> cst.BaseExpression:
        return cst.parse_expression(code.format(ctx=context))

    return build


def unwrap_call(node: cst.CSTNode) -> cst.Call:
    """The call inside a node being replaced (``await asyncio.sleep(1)`` is replaced as a whole)."""
    if isinstance(node, cst.Await):
        node = node.expression
    assert isinstance(node, cst.Call)
    return node
