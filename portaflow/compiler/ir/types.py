"""Static types of IR expressions and of a workflow's variables: the rules, once, and the inference pass.

An expression's type follows from its operands' (:func:`typed` applies the rules bottom-up, reading the
catalogue for calls); a variable's type is the join of the types of every value assigned to it anywhere in
the workflow (:func:`infer_variables`, iterated to a fixed point, since a value's type may depend on other
variables). ``any`` means "known only at run time": backends dispatch at run time there. The frontend types
expressions with the same rules as it lowers them, and lowers a body once more with the inferred variables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from .. import catalog
from .nodes import (
    Assign,
    AwaitWorkflow,
    BinOp,
    BinOpName,
    BoolOp,
    Call,
    ChildWorkflowCall,
    Compare,
    Comprehension,
    DictComp,
    DictExpr,
    Expr,
    For,
    FormattedValue,
    FString,
    IfExp,
    IsError,
    Lambda,
    ListComp,
    ListExpr,
    MapCall,
    Name,
    NameTarget,
    ParallelCall,
    Primitive,
    Slice,
    StartWorkflow,
    StepCall,
    Stmt,
    Subscript,
    Target,
    Type,
    UnaryOp,
    WaitForEvent,
)
from .walk import walk_stmts

# ------------------------------------------------------------------------------------------------ rules


def join(a: Type | None, b: Type) -> Type:
    """The type of a variable assigned values of types ``a`` (None: not yet) and ``b``."""
    if a is None or a == b:
        return b
    return "any"


def same_or_any(types: Iterable[Type]) -> Type:
    """The type of an expression whose value is one of its operands (``and``, ``or``, ``x if c else y``)."""
    found = set(types)
    return found.pop() if len(found) == 1 else "any"


# Python's datetime arithmetic: (operator, left, right) -> the result's type (the frontend refuses the other
# combinations of a datetime or timedelta with a value of a known type: Python raises TypeError)
TIME_ARITHMETIC: dict[tuple[str, Type, Type], Type] = {
    ("-", "datetime", "datetime"): "timedelta",
    ("+", "datetime", "timedelta"): "datetime",
    ("+", "timedelta", "datetime"): "datetime",
    ("-", "datetime", "timedelta"): "datetime",
    ("+", "timedelta", "timedelta"): "timedelta",
    ("-", "timedelta", "timedelta"): "timedelta",
    ("*", "timedelta", "int"): "timedelta",
    ("*", "int", "timedelta"): "timedelta",
    ("*", "timedelta", "float"): "timedelta",
    ("*", "float", "timedelta"): "timedelta",
    ("/", "timedelta", "timedelta"): "float",
    ("/", "timedelta", "int"): "timedelta",
    ("/", "timedelta", "float"): "timedelta",
    ("//", "timedelta", "timedelta"): "int",
    ("//", "timedelta", "int"): "timedelta",
    ("%", "timedelta", "timedelta"): "timedelta",
}


def binop_type(op: BinOpName, left: Type, right: Type) -> Type:
    """The type of ``left op right`` where Python's result type is decided by the operand types."""
    # in arithmetic a bool is the int 0 or 1 (True + True is 2, "ab" * True is "ab")
    lt, rt = ("int" if t == "bool" else t for t in (left, right))
    timed = TIME_ARITHMETIC.get((op, lt, rt))
    if timed is not None:
        return timed
    if "datetime" in (lt, rt) or "timedelta" in (lt, rt):
        return "any"  # with a value of a type known at run time; any other mix raises TypeError
    numbers = {lt, rt} <= {"int", "float"}
    if op == "+":
        if lt == rt and lt in ("int", "float", "str", "list"):
            return lt
        if numbers:
            return "float"
        for sequence in ("str", "list"):
            if sequence in (lt, rt) and "any" in (lt, rt):
                return sequence
        return "any"
    if op == "/":
        return "float"
    if op in ("-", "//", "%", "*"):
        if lt == rt == "int":
            return "int"
        if numbers:
            return "float"
        if op == "*":
            return "str" if "str" in (lt, rt) else "list" if "list" in (lt, rt) else "any"
        return "any"
    return "float" if "float" in (lt, rt) else "any"  # **: an int ** a negative int is a float


def unary_type(op: str, operand: Type) -> Type:
    return "bool" if op == "not" else catalog.arith_type(operand)


def subscript_type(value: Type) -> Type:
    """``value[i]``: a character of a string; an item of anything else, of a type not known."""
    return "str" if value == "str" else "any"


def slice_type(value: Type) -> Type:
    return value if value in ("str", "list") else "any"


def elem_type(iterable: Expr) -> Type:
    """The type of the items a ``for`` over ``iterable`` binds: a call's catalogue row may know (range), and
    a list display or comprehension does when its items share one type."""
    row = catalog.lookup(iterable.func) if isinstance(iterable, Call) else None
    if row is not None and row.items != "any":
        return row.items
    return _items_type(iterable) or ("str" if iterable.ty == "str" else "any")


def _items_type(e: Expr) -> Type | None:
    """The one type of every item of a list display (``[a, b]``) or comprehension, else None."""
    if isinstance(e, ListComp):
        return e.elt.ty
    if isinstance(e, ListExpr) and e.items and len({i.ty for i in e.items}) == 1:
        return e.items[0].ty
    return None


def call_type(func: str, args: tuple[Expr, ...], fallback: Type) -> Type:
    row = catalog.lookup(func)
    return row.result_type(args) if row is not None else fallback


# What each primitive returns: ctx.now() is a datetime (each backend picks its representation: an ISO string
# on AWS); uuid4() is a uuid.UUID locally, its string on cloud targets, so known only at run time.
PRIMITIVE_TYPES: dict[str, Type] = {"random": "float", "idempotency_key": "str", "now": "datetime"}

# ------------------------------------------------------------------------------------------- expressions

Env = Mapping[str, Type]


def typed(e: Expr, env: Env) -> Expr:
    """``e`` with its own and every sub-expression's type recomputed, variables typed by ``env``."""
    rule = _TYPED.get(type(e))
    return rule(e, env) if rule is not None else e


class _Noting(dict[str, Type]):
    """An environment that notes the variables read before any assignment typed them (their type is not
    known yet, rather than ``any``: the inference starts from nothing known and only widens)."""

    def __init__(self, base: Env, unknown: set[str]) -> None:
        super().__init__(base)
        self.unknown = unknown


def _scope(env: Env, names: Mapping[str, Type]) -> dict[str, Type]:
    """``env`` with ``names`` bound (a comprehension's or lambda's own variables)."""
    if isinstance(env, _Noting):
        return _Noting({**env, **names}, env.unknown)
    return {**env, **names}


def _name(e: Name, env: Env) -> Expr:
    if e.ty == "error":
        return e
    if e.id not in env and isinstance(env, _Noting):
        env.unknown.add(e.id)
    return replace(e, ty=env.get(e.id, "any"))


def _binop(e: BinOp, env: Env) -> Expr:
    left, right = typed(e.left, env), typed(e.right, env)
    return replace(e, left=left, right=right, ty=binop_type(e.op, left.ty, right.ty))


def _unary(e: UnaryOp, env: Env) -> Expr:
    operand = typed(e.operand, env)
    return replace(e, operand=operand, ty=unary_type(e.op, operand.ty))


def _boolop(e: BoolOp, env: Env) -> Expr:
    values = tuple(typed(v, env) for v in e.values)
    return replace(e, values=values, ty=same_or_any(v.ty for v in values))


def _ifexp(e: IfExp, env: Env) -> Expr:
    body, orelse = typed(e.body, env), typed(e.orelse, env)
    return replace(e, test=typed(e.test, env), body=body, orelse=orelse, ty=same_or_any((body.ty, orelse.ty)))


def _compare(e: Compare, env: Env) -> Expr:
    return replace(e, left=typed(e.left, env), comparators=tuple(typed(c, env) for c in e.comparators))


def _subscript(e: Subscript, env: Env) -> Expr:
    value = typed(e.value, env)
    return replace(
        e, value=value, index=typed(e.index, env), ty=_items_type(value) or subscript_type(value.ty)
    )


def _slice(e: Slice, env: Env) -> Expr:
    value = typed(e.value, env)
    lower = typed(e.lower, env) if e.lower is not None else None
    upper = typed(e.upper, env) if e.upper is not None else None
    step = typed(e.step, env) if e.step is not None else None
    return replace(e, value=value, lower=lower, upper=upper, step=step, ty=slice_type(value.ty))


def _list(e: ListExpr, env: Env) -> Expr:
    return replace(e, items=tuple(typed(x, env) for x in e.items))


def _dict(e: DictExpr, env: Env) -> Expr:
    return replace(
        e, keys=tuple(typed(k, env) for k in e.keys), values=tuple(typed(v, env) for v in e.values)
    )


def _fstring(e: FString, env: Env) -> Expr:
    parts = tuple(
        replace(p, value=typed(p.value, env)) if isinstance(p, FormattedValue) else p for p in e.parts
    )
    return replace(e, parts=parts)


def _call(e: Call, env: Env) -> Expr:
    args = tuple(typed(a, env) for a in e.args)
    kwargs = tuple((k, typed(v, env)) for k, v in e.kwargs)
    return replace(e, args=args, kwargs=kwargs, ty=call_type(e.func, args, e.ty))


def _lambda(e: Lambda, env: Env) -> Expr:
    return replace(e, body=typed(e.body, _scope(env, dict.fromkeys(e.params, "any"))))


def _generators(
    gens: tuple[Comprehension, ...], env: Env
) -> tuple[tuple[Comprehension, ...], dict[str, Type]]:
    """A comprehension's ``for`` clauses retyped, and the scope they bind (each target an item's type)."""
    scope = _scope(env, {})
    out: list[Comprehension] = []
    for g in gens:
        iterable = typed(g.iter, scope)
        _bind_scope(scope, g.target, elem_type(iterable))
        out.append(replace(g, iter=iterable, ifs=tuple(typed(c, scope) for c in g.ifs)))
    return tuple(out), scope


def _bind_scope(scope: dict[str, Type], t: Target, ty: Type) -> None:
    if isinstance(t, NameTarget):
        scope[t.id] = ty
    else:
        for el in t.elts:
            _bind_scope(scope, el, "any")


def _listcomp(e: ListComp, env: Env) -> Expr:
    gens, scope = _generators(e.generators, env)
    return replace(e, elt=typed(e.elt, scope), generators=gens)


def _dictcomp(e: DictComp, env: Env) -> Expr:
    gens, scope = _generators(e.generators, env)
    return replace(e, key=typed(e.key, scope), value=typed(e.value, scope), generators=gens)


_TYPED: dict[type, Callable[[Any, Env], Expr]] = {
    Name: _name,
    BinOp: _binop,
    UnaryOp: _unary,
    BoolOp: _boolop,
    IfExp: _ifexp,
    Compare: _compare,
    Subscript: _subscript,
    Slice: _slice,
    ListExpr: _list,
    DictExpr: _dict,
    FString: _fstring,
    Call: _call,
    Lambda: _lambda,
    ListComp: _listcomp,
    DictComp: _dictcomp,
    IsError: lambda e, env: replace(e, value=typed(e.value, env)),
}

# --------------------------------------------------------------------------------------------- variables


def assigned_types(body: tuple[Stmt, ...], env: Env, step_returns: Mapping[str, Type]) -> dict[str, Type]:
    """Each variable ``body`` assigns (nested statements included) -> the join of its values' types, the
    values typed under ``env``; a tuple target's names are ``any``. A value that reads a variable ``env``
    does not type yet adds nothing (yet)."""
    out: dict[str, Type] = {}

    def bind(t: Target | None, ty: Type) -> None:
        if isinstance(t, NameTarget):
            out[t.id] = join(out.get(t.id), ty)
        elif t is not None:
            for el in t.elts:
                bind(el, "any")

    def known(e: Expr) -> Expr | None:
        noting = _Noting(env, set())
        result = typed(e, noting)
        return None if noting.unknown else result

    for s in walk_stmts(body):
        if isinstance(s, Assign):
            value = known(s.value)
            if value is not None:
                bind(s.target, value.ty)
        elif isinstance(s, For):
            iterable = known(s.iter)
            if iterable is not None:
                bind(s.target, elem_type(iterable))
        elif isinstance(s, StepCall):
            bind(s.target, step_returns.get(s.step, "any"))
        elif isinstance(s, (MapCall, ParallelCall)):
            bind(s.target, "list")
        elif isinstance(s, Primitive):
            bind(s.target, PRIMITIVE_TYPES.get(s.op, "any"))
        elif isinstance(s, (ChildWorkflowCall, WaitForEvent, AwaitWorkflow)):
            bind(s.target, "any")
        elif isinstance(s, StartWorkflow):  # not waiting: the handle holds the child's run id
            bind(s.target, "any" if s.wait else "str")
    return out


def infer_variables(
    body: tuple[Stmt, ...],
    declared: Env,
    step_returns: Mapping[str, Type],
    rounds: int = 16,
) -> dict[str, Type]:
    """The type of every variable of a workflow body: ``declared`` (the parameters: their annotation, or
    ``any`` - their first value is the run's input, of any type, whatever the body assigns them later)
    and what the body assigns the others, to a fixed point. ``rounds`` bounds the
    iteration: each round can only type one more variable or widen one towards ``any``, so it ends; a
    variable no round types (``x = x + 1`` alone) is ``any``."""
    env = dict(declared)
    for _ in range(rounds):
        new = dict(env)
        for name, ty in assigned_types(body, env, step_returns).items():
            if name not in declared:
                new[name] = ty
        if new == env:
            break
        env = new
    return env
