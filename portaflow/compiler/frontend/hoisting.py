"""Step calls inside expressions: which of them may run as statements of their own, before the statement.

``for doc in fetch(q):``, ``if approved(x):``, ``summary = summarise(search(q))``,
``results.append(lookup(k))``, ``return {"answer": ask(q)}``: every target runs a step (a child workflow, a
``ctx`` call) as a statement of its own, so the frontend lowers such a call into a temporary just before the
statement. That is Python's order only when everything the statement evaluates before the call can neither
raise nor change anything (a name, a literal, a method looked up on a list): then the call runs at the same
point, with the same arguments, and whatever follows sees its result. A call evaluated after something that
may raise (``d[k] + ask(q)``: a ``KeyError`` first would skip the step in Python), or only on some paths
(``a and ask(q)``, ``ask(q) if c else None``, inside a comprehension or lambda), stays refused (PFC023).

:func:`leading_calls` walks an expression in Python's evaluation order and returns the ids of the calls that
may be hoisted; the lowerer consults it where it meets a step-like call inside an expression.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from .common import Unsupported

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

_LITERALS = (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString)
_CONSTANT_NAMES = frozenset({"True", "False", "None"})
# methods a statement looks up on a local of a known type before it calls them: the lookup cannot raise
_METHODS: dict[str, frozenset[str]] = {
    "list": frozenset(dir(list)),
    "dict": frozenset(dir(dict)),
    "str": frozenset(dir(str)),
}


class _Walk:
    """Python's evaluation order over one expression; ``open`` until something that may raise (or run
    only on some paths) has been evaluated, after which no later call may move before it."""

    def __init__(self, lw: WorkflowLowerer) -> None:
        self.lw = lw
        self.closer: cst.CSTNode | None = None  # the first node evaluated that may raise
        self.found: set[int] = set()
        self.blocked: dict[int, cst.CSTNode] = {}  # a call evaluated after such a node -> that node

    @property
    def open(self) -> bool:
        return self.closer is None

    def close(self, n: cst.CSTNode) -> None:
        if self.closer is None:
            self.closer = n

    def many(self, nodes: Iterable[cst.BaseExpression]) -> None:
        for n in nodes:
            self.visit(n)

    def _step_like(self, n: cst.Call) -> bool:
        """is_step_like, with nothing reported: the lowering reports what it finds, once."""
        from .calls import is_step_like  # calls imports this module

        lw = self.lw
        report, lw.report = lw.report, False
        try:
            return is_step_like(lw, n)
        except Unsupported:
            return False
        finally:
            lw.report = report

    def visit(self, n: cst.BaseExpression) -> None:
        if isinstance(n, cst.Call) and self._step_like(n):
            # its arguments are evaluated just before it in the hoisted statement too, so they may raise; a
            # step call among them may move only before what of them may not
            closer = self.closer
            self.many(a.value for a in n.args if not a.star)
            self.closer = closer
            if closer is None:
                self.found.add(id(n))
            else:
                self.blocked[id(n)] = closer
            return
        if self._safe(n):
            return
        if isinstance(n, (cst.List, cst.Tuple, cst.Set)):
            for el in n.elements:
                if isinstance(el, cst.StarredElement):
                    self.close(el)  # iterating the value may raise
                self.visit(el.value)
            return
        if isinstance(n, cst.Dict):
            for item in n.elements:
                if isinstance(item, cst.DictElement):
                    self.visit(item.key)
                    if not isinstance(item.key, _LITERALS):
                        self.close(item.key)  # it may be unhashable
                else:
                    self.close(item)  # ** unpacking
                self.visit(item.value)
            return
        if isinstance(n, cst.Call):
            self._method_lookup(n.func)
            self.many(a.value for a in n.args if not a.star)
            if self._cannot_raise(n):
                return
        elif isinstance(n, cst.BinaryOperation):
            self.many((n.left, n.right))
        elif isinstance(n, cst.BooleanOperation):
            self.visit(n.left)  # the right operand runs only on some paths
        elif isinstance(n, cst.IfExp):
            self.visit(n.test)
        elif isinstance(n, cst.Comparison):
            self.visit(n.left)
            if n.comparisons:
                self.visit(n.comparisons[0].comparator)  # later ones run only if this one holds
        elif isinstance(n, cst.UnaryOperation):
            self.visit(n.expression)
        elif isinstance(n, (cst.Subscript, cst.Attribute)):
            self.visit(n.value)
        elif isinstance(n, cst.FormattedString):
            for part in n.parts:
                if isinstance(part, cst.FormattedStringExpression):
                    self.visit(part.expression)
                    if part.format_spec is not None or part.conversion is not None:
                        self.close(part)  # a spec may not fit the value (str() of a JSON value cannot fail)
            return
        # whatever the node itself does next (an operator, a subscript, a call, a format) may raise
        self.close(n)

    def _safe(self, n: cst.BaseExpression) -> bool:
        if isinstance(n, _LITERALS):
            return not isinstance(n, cst.ConcatenatedString) or all(
                isinstance(p, cst.SimpleString) for p in (n.left, n.right)
            )
        if isinstance(n, cst.Name):
            return n.value in _CONSTANT_NAMES or n.value in self.lw.locals
        if isinstance(n, cst.FormattedString):
            return all(isinstance(p, cst.FormattedStringText) for p in n.parts)
        return isinstance(n, cst.Lambda)  # making a function evaluates nothing inside it

    def _cannot_raise(self, n: cst.Call) -> bool:
        """A builtin that raises for no value (``str(x)``, ``bool(x)``), ``len()`` of a local list, dict or
        str, or a method without arguments of a local of its type (``q.strip()``, ``d.items()``)."""
        from .. import catalog

        f, args = n.func, n.args
        if any(a.star or a.keyword is not None for a in args):
            return False
        if isinstance(f, cst.Name) and f.value not in self.lw.locals:
            row = catalog.lookup(f.value)
            if row is not None and not row.raises and len(args) == 1:
                return True
            sized = len(args) == 1 and self._typed(args[0].value) in ("list", "dict", "str")
            return f.value == "len" and sized
        if isinstance(f, cst.Attribute) and not args:
            ty = self._typed(f.value)
            row = catalog.lookup(f"{ty}.{f.attr.value}")
            return row is not None and set(row.raises) <= {"AttributeError", "TypeError"}
        return False

    def _typed(self, n: cst.BaseExpression) -> str:
        local = isinstance(n, cst.Name) and n.value in self.lw.locals
        return self.lw.types.get(n.value, "any") if local and isinstance(n, cst.Name) else "any"

    def _method_lookup(self, func: cst.BaseExpression) -> None:
        """``xs.append`` on a local list, ``d.get`` on a local dict: the lookup itself cannot raise."""
        if isinstance(func, cst.Name):
            return  # a builtin or helper: looking it up cannot raise
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            ty = self.lw.types.get(func.value.value, "any")
            if func.attr.value in _METHODS.get(ty, frozenset()):
                return
        self.close(func)


@dataclass(frozen=True)
class Hoisting:
    """Of the step-like calls of one statement: which may run before it, and why others may not."""

    calls: frozenset[int] = frozenset()
    blocked: Mapping[int, cst.CSTNode] = field(default_factory=dict)  # call -> what Python evaluates first

    def __contains__(self, call: cst.Call) -> bool:
        return id(call) in self.calls


NOTHING = Hoisting()


def leading_calls(lw: WorkflowLowerer, nodes: Iterable[cst.BaseExpression]) -> Hoisting:
    """The step-like calls in ``nodes`` (evaluated in this order) that may run before them."""
    walk = _Walk(lw)
    walk.many(nodes)
    return Hoisting(frozenset(walk.found), walk.blocked)


def refusal(lw: WorkflowLowerer, call: cst.Call) -> tuple[str, str]:
    """The message and hint of PFC023 for a step-like call inside an expression that cannot be hoisted."""
    first = lw.step_hoistable.blocked.get(id(call))
    if first is not None:
        return (
            f"Python evaluates `{lw.fe.code(first)}` before this call, and that may raise, so the call "
            "cannot run as a statement before this one",
            f"call it in a statement of its own first: `result = {lw.fe.code(call)}`",
        )
    return (
        "this call runs only on some paths of the expression (after `and`/`or`, in a conditional "
        "expression, a comprehension or a lambda)",
        "write the choice as an if statement (a loop as a for statement) that assigns the result",
    )


def statement_operands(n: cst.CSTNode) -> list[cst.BaseExpression]:
    """What a simple statement evaluates, in Python's order (empty: hoist nothing out of it)."""
    if isinstance(n, cst.SimpleStatementLine):
        return [e for s in n.body for e in statement_operands(s)][:1] if len(n.body) == 1 else []
    if isinstance(n, cst.Assign):
        return [n.value]  # the value first, then the targets (a subscript target's parts after it)
    if isinstance(n, cst.AnnAssign):
        return [n.value] if n.value is not None else []
    if isinstance(n, cst.AugAssign):
        # `total += ask(q)` reads `total` first: a local name cannot raise; `d[k] += ...` may (KeyError)
        return [n.value] if isinstance(n.target, cst.Name) else []
    if isinstance(n, cst.Expr):
        return [n.value]
    if isinstance(n, cst.Return):
        return [n.value] if n.value is not None else []
    return []
