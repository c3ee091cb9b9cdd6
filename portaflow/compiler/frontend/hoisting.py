"""Step calls inside expressions: which of them may run as statements of their own, before the statement.

``for doc in fetch(q):``, ``if approved(x):``, ``summary = summarise(search(q))``,
``results.append(lookup(k))``, ``return {"answer": ask(q)}``: every target runs a step (a child workflow, a
``ctx`` call) as a statement of its own, so the frontend lowers such a call into a temporary just before the
statement. That is Python's order only when everything the statement evaluates before the call can neither
raise nor change anything (a name, a literal, a method looked up on a list): then the call runs at the same
point, with the same arguments, and whatever follows sees its result. A call evaluated after operands that
may raise (``d[k] + ask(q)``: a ``KeyError`` first skips the step in Python) has those operands evaluated
into temporaries first, in Python's order (:attr:`Hoisting.spills`); one evaluated after what no temporary
can hold (a method's lookup, a format spec, a non-literal dict key), or only on some paths inside a
larger expression (``a and ask(q)``, ``[ask(q) if c else None]``, a comprehension or lambda), stays refused
(PFC023); a statement whose whole value is a conditional expression is an ``if`` (conditional.py).

:func:`leading_calls` walks an expression in Python's evaluation order and returns the ids of the calls that
may be hoisted; the lowerer consults it where it meets a step-like call inside an expression.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from .. import ir
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


# the ctx calls of a recorded value (is_recorded_value)
ANYWHERE = frozenset({"now", "uuid4", "random", "idempotency_key"})


def is_recorded_value(lw: WorkflowLowerer, n: cst.Call) -> bool:
    """``ctx.now()``, ``ctx.uuid4()``, ``ctx.random()``, ``ctx.idempotency_key()``: a recorded value the
    lowering takes out of any expression (calls.value_call), so nothing need come before it."""
    f = n.func
    return (
        isinstance(f, cst.Attribute)
        and isinstance(f.value, cst.Name)
        and f.value.value == lw.ctx
        and f.attr.value in ANYWHERE
        and not n.args
    )


def quietly(lw: WorkflowLowerer, test: Callable[[WorkflowLowerer, cst.Call], bool], n: cst.Call) -> bool:
    """``test(lw, n)`` with nothing reported (the lowering reports what it finds, once); False where it
    finds the call unsupported."""
    report, lw.report = lw.report, False
    try:
        return test(lw, n)
    except Unsupported:
        return False
    finally:
        lw.report = report


class _Walk:
    """Python's evaluation order over one expression; ``open`` until something that may raise (or run
    only on some paths) has been evaluated, after which no later call may move before it."""

    def __init__(self, lw: WorkflowLowerer, spills: Mapping[int, cst.BaseExpression] | None = None) -> None:
        self.lw = lw
        self.closer: cst.CSTNode | None = None  # the first node evaluated that may raise
        self.found: set[int] = set()
        self.blocked: dict[int, cst.CSTNode] = {}  # a call evaluated after such a node -> that node
        # the operands evaluated so far at each level of the expression being walked (outermost first)
        self.frames: list[list[cst.BaseExpression]] = []
        # operands evaluated into temporaries first: a later call may move after them
        self.spills = spills or {}
        self.to_spill: dict[int, cst.BaseExpression] = {}  # what a blocked call needs evaluated before it
        # a method changing a list or dict in place: its lowering keeps its own order (mutations.py), so
        # nothing of its statement is spilled
        self.changes = False

    @property
    def open(self) -> bool:
        return self.closer is None

    def close(self, n: cst.CSTNode) -> None:
        if self.closer is None:
            self.closer = n

    def many(self, nodes: Iterable[cst.BaseExpression]) -> None:
        """Operands evaluated in this order, each recorded once evaluated (a blocked call after them may
        have them evaluated into temporaries first)."""
        frame: list[cst.BaseExpression] = []
        self.frames.append(frame)
        try:
            for n in nodes:
                self.visit(n)
                frame.append(n)
        finally:
            self.frames.pop()

    def _earlier_operands(self) -> list[cst.BaseExpression]:
        """The operands evaluated before the current node, at every level, that a step call there would
        have to follow: not literals or locals, not step calls (those are temporaries already)."""
        return [
            m
            for frame in self.frames
            for m in frame
            if not self._safe(m) and not (isinstance(m, cst.Call) and self._step_like(m))
        ]

    def _changes(self, n: cst.Call) -> bool:
        from .mutations import is_mutation  # it lowers through calls, which imports this module

        return quietly(self.lw, is_mutation, n)

    def _step_like(self, n: cst.Call) -> bool:
        """is_step_like, with nothing reported: the lowering reports what it finds, once."""
        from .calls import is_step_like  # calls imports this module

        return quietly(self.lw, is_step_like, n)

    def visit(self, n: cst.BaseExpression) -> None:
        if id(n) in self.spills:
            # evaluated into a temporary before the statement, after what was before it: what follows may
            # move before the statement too (the calls inside it are walked as any)
            closer = self.closer
            self._visit(n)
            self.closer = closer
            return
        self._visit(n)

    def _visit(self, n: cst.BaseExpression) -> None:
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
                if not is_recorded_value(self.lw, n):
                    for m in self._earlier_operands():
                        self.to_spill.setdefault(id(m), m)
            return
        if self._safe(n):
            return
        if isinstance(n, (cst.List, cst.Tuple, cst.Set)):
            self.many(self._elements(n))
            return
        if isinstance(n, cst.Dict):
            self.many(self._items(n))
            return
        if isinstance(n, cst.Call):
            self.changes = self.changes or self._changes(n)
            self.many(self._call_operands(n))
            if self._cannot_raise(n):
                return
        elif isinstance(n, cst.BinaryOperation):
            self.many((n.left, n.right))
        elif isinstance(n, cst.BooleanOperation):
            self.visit(n.left)  # the right operand runs only on some paths
        elif isinstance(n, cst.IfExp):
            self.visit(n.test)
        elif isinstance(n, cst.Comparison):
            # later comparators run only if this comparison holds
            self.many((n.left, *(c.comparator for c in n.comparisons[:1])))
        elif isinstance(n, cst.UnaryOperation):
            self.visit(n.expression)
        elif isinstance(n, (cst.Subscript, cst.Attribute)):
            self.visit(n.value)
        elif isinstance(n, cst.FormattedString):
            self.many(self._parts(n))
            return
        # whatever the node itself does next (an operator, a subscript, a call, a format) may raise
        self.close(n)

    def _elements(self, n: cst.List | cst.Tuple | cst.Set) -> Iterator[cst.BaseExpression]:
        for el in n.elements:
            yield el.value
            if isinstance(el, cst.StarredElement):
                self.close(el)  # iterating the value (after evaluating it) may raise

    def _items(self, n: cst.Dict) -> Iterator[cst.BaseExpression]:
        for item in n.elements:
            if isinstance(item, cst.DictElement):
                yield item.key
                if not isinstance(item.key, _LITERALS):
                    self.close(item.key)  # it may be unhashable
                yield item.value
            else:
                yield item.value
                self.close(item)  # ** unpacking (after evaluating its operand) may raise

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

    def _parts(self, n: cst.FormattedString) -> Iterator[cst.BaseExpression]:
        for part in n.parts:
            if isinstance(part, cst.FormattedStringExpression):
                yield part.expression
                if part.format_spec is not None or part.conversion is not None:
                    self.close(part)  # a spec may not fit the value (str() of a JSON value cannot fail)

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

    def _call_operands(self, n: cst.Call) -> Iterator[cst.BaseExpression]:
        """A call's receiver (``fetch(q).get``'s ``fetch(q)``), the method's lookup, then its arguments."""
        f = n.func
        if isinstance(f, cst.Attribute) and not isinstance(f.value, cst.Name):
            yield f.value
        self._method_lookup(f)
        yield from (a.value for a in n.args if not a.star)

    def _method_lookup(self, func: cst.BaseExpression) -> None:
        """``xs.append`` on a local list, ``d.get`` on a local dict: the lookup itself cannot raise."""
        if isinstance(func, cst.Name):
            return  # a builtin or helper: looking it up cannot raise
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            name = func.value.value
            ty = self.lw.types.get(name, "any")
            if func.attr.value in _METHODS.get(ty, frozenset()):
                return
            if self._module_function(name, func.attr.value):
                return  # json.dumps of ``import json``: a function of a module, looked up without fail
        self.close(func)

    def _module_function(self, module: str, attr: str) -> bool:
        from .. import catalog

        lw = self.lw
        return (
            module not in lw.locals
            and module in lw.info.imports
            and module not in lw.info.constants
            and f"{module}.{attr}" in catalog.CATALOG
        )


@dataclass(frozen=True)
class Hoisting:
    """Of the step-like calls of one statement: which may run before it, and why others may not."""

    calls: frozenset[int] = frozenset()
    blocked: Mapping[int, cst.CSTNode] = field(default_factory=dict)  # call -> what Python evaluates first
    # operands evaluated into temporaries before the statement, in Python's order, so that a step call
    # after them may run as a statement too: ``note(job["name"], ask(q))`` is ``t = job["name"]``,
    # ``s = ask(q)``, ``note(t, s)`` (a KeyError still comes before the step runs)
    spills: Mapping[int, cst.BaseExpression] = field(default_factory=dict)

    def __contains__(self, call: cst.Call) -> bool:
        return id(call) in self.calls


NOTHING = Hoisting()


def leading_calls(lw: WorkflowLowerer, nodes: Iterable[cst.BaseExpression]) -> Hoisting:
    """The step-like calls in ``nodes`` (evaluated in this order) that may run before them."""
    nodes = list(nodes)
    walk = _Walk(lw)
    walk.many(nodes)
    if not walk.blocked or walk.changes:
        return Hoisting(frozenset(walk.found), walk.blocked)
    # the operands a blocked call follows are evaluated first, into temporaries; walked again with them,
    # a call still blocked follows something no temporary can hold (a method's lookup, a format spec)
    spills = dict(walk.to_spill)
    again = _Walk(lw, spills)
    again.many(nodes)
    return Hoisting(frozenset(again.found), again.blocked, spills)


def spill(lw: WorkflowLowerer, n: cst.BaseExpression) -> ir.Name:
    """An operand of :attr:`Hoisting.spills`, lowered into a temporary just before the statement (after
    the calls hoisted before it, before those after it)."""
    assert lw.hoist is not None
    lw.spilling.add(id(n))
    try:
        value = lw.expr(n)
    finally:
        lw.spilling.discard(id(n))
    lw.hoisted += 1
    tmp = ir.temporary(f"v{lw.hoisted}")
    lw.hoist.append(ir.Assign(ir.NameTarget(tmp), value, lw.fe.pos(n)))
    lw.locals.add(tmp)
    lw.spilled.add(id(n))
    return ir.Name(tmp)


def check_spilled(lw: WorkflowLowerer) -> None:
    """Every operand the statement's hoisting spills went through :func:`spill`: one lowered some other
    way would run after the calls hoisted before the statement, out of Python's order, so it is refused."""
    missed = [n for i, n in lw.step_hoistable.spills.items() if i not in lw.spilled]
    if not missed:
        return
    lw.error(
        "PFC023",
        missed[0],
        f"Python evaluates `{lw.fe.code(missed[0])}` before a step call in this statement, an order the "
        "compiler cannot keep here",
        f"assign it to a local in a statement of its own first: `value = {lw.fe.code(missed[0])}`",
    )
    raise Unsupported


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
