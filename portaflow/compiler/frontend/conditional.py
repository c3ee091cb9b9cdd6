"""``x = ask(q) if urgent else "later"``: a conditional expression whose chosen value holds a step call,
as the statement is, is lowered as the ``if`` statement it means.

Python evaluates the test, then only the chosen operand, then binds (or returns) it; the ``if`` statement
``if urgent: x = ask(q)`` / ``else: x = "later"`` does exactly that, and every target runs step calls in an
``if``'s branches. So a statement ``TARGET = A if C else B`` (an annotated assignment too), ``return A if C
else B`` and an expression statement ``A if C else B`` is rewritten, once per statement, into ``if C:`` with
the statement of ``A`` and ``else:`` with the statement of ``B`` (a nested conditional in ``B`` is an
``elif`` after its own rewrite). Only where ``A`` or ``B`` holds a step-like call: elsewhere the
conditional expression stays an expression, which every target evaluates itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from .hoisting import quietly

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

_Valued = cst.Assign | cst.AnnAssign | cst.Return | cst.Expr


def rewrite(lw: WorkflowLowerer, n: cst.CSTNode) -> cst.CSTNode:
    """``n``, or the ``if`` statement it means when it binds or returns a conditional expression whose
    operands hold a step-like call (the same node for the draft and the final lowering)."""
    s = n.body[0] if isinstance(n, cst.SimpleStatementLine) and len(n.body) == 1 else n
    if not isinstance(s, _Valued) or not isinstance(s.value, cst.IfExp):
        return n
    value = s.value
    if not (_has_step_call(lw, value.body) or _has_step_call(lw, value.orelse)):
        return n
    cached = lw.conditionals.get(id(n))
    if cached is not None:
        return cached[1]

    def line(operand: cst.BaseExpression) -> cst.SimpleStatementLine:
        stmt = s.with_changes(value=operand)
        out = cst.SimpleStatementLine(body=[stmt])
        lw.fe.stand_ins[id(stmt)] = s
        lw.fe.stand_ins[id(out)] = n
        return out

    branch = cst.If(
        test=value.test,
        body=cst.IndentedBlock(body=[line(value.body)]),
        orelse=cst.Else(body=cst.IndentedBlock(body=[line(value.orelse)])),
    )
    lw.fe.stand_ins[id(branch)] = n
    lw.conditionals[id(n)] = (n, branch)  # the original kept alive: its id stays its own
    return branch


def _has_step_call(lw: WorkflowLowerer, e: cst.BaseExpression) -> bool:
    from .calls import is_step_like  # calls imports the modules that import this one

    class Find(cst.CSTVisitor):
        found = False

        def visit_Call(self, node: cst.Call) -> bool:
            self.found = self.found or quietly(lw, is_step_like, node)
            return not self.found

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False  # a lambda's body runs when called, not here

    finder = Find()
    e.visit(finder)
    return finder.found
