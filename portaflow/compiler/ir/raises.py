"""Whether evaluating an expression may raise: a backend that must catch a pure statement's exception
(Step Functions' Pass and Choice states cannot) guards exactly the statements this says may raise.

Conservative: False only for forms that evaluate whatever the values are, in Python and in every
target's lowering (a dict with a key that is not a string constant may raise on AWS, whose JSONata
objects take string keys only). A call's own exceptions are its catalogue row's (:mod:`..catalog`).
"""

from __future__ import annotations

from portaflow.compiler import catalog

from .nodes import (
    BinOp,
    BoolOp,
    Call,
    Compare,
    Const,
    DictExpr,
    ErrorField,
    Expr,
    FormattedValue,
    FString,
    IfExp,
    IsError,
    ListExpr,
    Name,
    Patched,
    RunId,
    Target,
    TupleTarget,
    UnaryOp,
)

# arithmetic takes a bool as the int 0 or 1, as Python does
NUMBERS = ("int", "float", "bool")


def may_raise(e: Expr) -> bool:
    """Whether evaluating ``e`` may raise a Python exception (its lowering may raise, or fail on a value of
    another type). False only for forms that evaluate whatever the values are."""
    if isinstance(e, ErrorField):
        return e.step_failure_only  # AttributeError unless the error is a step's failure
    if isinstance(e, (Const, Name, RunId, Patched)):
        return False
    if isinstance(e, IsError):
        return may_raise(e.value)
    if isinstance(e, ListExpr):
        return any(may_raise(x) for x in e.items)
    if isinstance(e, DictExpr):
        return not all(isinstance(k, Const) and isinstance(k.value, str) for k in e.keys) or any(
            may_raise(v) for v in e.values
        )
    if isinstance(e, UnaryOp):
        return may_raise(e.operand) or (e.op != "not" and e.operand.ty not in NUMBERS)
    if isinstance(e, (BoolOp, IfExp)):
        parts = e.values if isinstance(e, BoolOp) else (e.test, e.body, e.orelse)
        return any(may_raise(x) for x in parts)
    if isinstance(e, Compare):
        return any(op not in ("==", "!=", "is", "is not") for op in e.ops) or any(
            may_raise(x) for x in (e.left, *e.comparators)
        )
    if isinstance(e, FString):
        return any(
            isinstance(p, FormattedValue)
            and ((p.spec and p.conversion == "" and p.value.ty == "any") or may_raise(p.value))
            for p in e.parts
        )
    if isinstance(e, BinOp):
        same = (e.left.ty in NUMBERS and e.right.ty in NUMBERS) or (
            e.op == "+" and e.left.ty == e.right.ty and e.left.ty in ("str", "list")
        )
        return e.op not in ("+", "-", "*") or not same or may_raise(e.left) or may_raise(e.right)
    if isinstance(e, Call):
        return bool(call_raises(e)) or any(may_raise(x) for x in (*e.args, *(v for _, v in e.kwargs)))
    return True


def call_raises(e: Call) -> tuple[str, ...]:
    """The Python exceptions the call itself may raise (its arguments' evaluation aside): its catalogue
    row's, checked against the signature (a call outside it raises TypeError); an unknown call anything."""
    row = catalog.lookup(e.func)
    if row is None:
        return ("Exception",)
    raises = row.raises
    if row.receiver in ("str", "dict", "list") and e.args and e.args[0].ty != row.receiver:
        raises = (*raises, "AttributeError")  # a receiver typed at run time may be of another type
    sig = row.signature
    if len(e.args) - row.is_method > (sig.most if sig.most is not None else len(e.args)):
        return (*raises, "TypeError")
    return raises


def target_may_raise(t: Target | None) -> bool:
    """Unpacking into a tuple target raises when the value has another number of items."""
    return isinstance(t, TupleTarget)
