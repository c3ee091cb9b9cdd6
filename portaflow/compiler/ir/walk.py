"""Walks over the IR that every backend and analysis needs: nested statements, one statement's own nodes, an
expression's operands, the names a statement binds and the names a subtree reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .nodes import (
    Assign,
    AwaitWorkflow,
    BinOp,
    BoolOp,
    Call,
    ChildWorkflowCall,
    Compare,
    DictExpr,
    ErrorField,
    Expr,
    For,
    FormattedValue,
    FString,
    If,
    IfExp,
    IsError,
    ListExpr,
    MapCall,
    Name,
    NameTarget,
    ParallelCall,
    Patched,
    Primitive,
    Program,
    SetItem,
    Slice,
    StartWorkflow,
    StepCall,
    Stmt,
    Subscript,
    Target,
    Try,
    UnaryOp,
    WaitForEvent,
    While,
)


def walk_stmts(body: tuple[Stmt, ...]) -> list[Stmt]:
    """Every statement in ``body``, nested ones included, in source order."""
    out: list[Stmt] = []
    for s in body:
        out.append(s)
        if isinstance(s, If):
            out += walk_stmts(s.body) + walk_stmts(s.orelse)
        elif isinstance(s, (While, For)):
            out += walk_stmts(s.body)
        elif isinstance(s, Try):
            out += walk_stmts(s.body)
            for h in s.handlers:
                out += walk_stmts(h.body)
            out += walk_stmts(s.orelse) + walk_stmts(s.finalbody)
        elif isinstance(s, ParallelCall):
            for b in s.branches:
                out += walk_stmts(b.body)
    return out


def expr_children(e: Expr) -> list[Expr]:
    """The operands of ``e`` (a comprehension's and a lambda's parts are not: they bind names of their
    own, which a caller walking them must scope)."""
    if isinstance(e, ListExpr):
        return list(e.items)
    if isinstance(e, DictExpr):
        return [*e.keys, *e.values]
    if isinstance(e, Subscript):
        return [e.value, e.index]
    if isinstance(e, Slice):
        return [x for x in (e.value, e.lower, e.upper, e.step) if x is not None]
    if isinstance(e, BinOp):
        return [e.left, e.right]
    if isinstance(e, UnaryOp):
        return [e.operand]
    if isinstance(e, BoolOp):
        return list(e.values)
    if isinstance(e, Compare):
        return [e.left, *e.comparators]
    if isinstance(e, IfExp):
        return [e.test, e.body, e.orelse]
    if isinstance(e, FString):
        return [p.value for p in e.parts if isinstance(p, FormattedValue)]
    if isinstance(e, Call):
        return [*e.args, *(v for _, v in e.kwargs)]
    if isinstance(e, IsError):
        return [e.value]
    return []


def own_nodes(stmt: Stmt) -> Iterator[Any]:
    """Every IR node of one statement (itself, its expressions, targets, handlers' clauses), not those of the
    statements nested in it, which :func:`walk_stmts` yields on their own: a check over each statement's own
    expressions visits every expression once."""

    def visit(x: Any) -> Iterator[Any]:
        if isinstance(x, (tuple, list)):
            for y in x:
                yield from visit(y)
        elif hasattr(x, "__dataclass_fields__") and (x is stmt or not isinstance(x, Stmt)):
            yield x
            for f in x.__dataclass_fields__:
                yield from visit(getattr(x, f))

    yield from visit(stmt)


def target_names(t: Target | None) -> list[str]:
    """The names a target binds, left to right."""
    if t is None:
        return []
    if isinstance(t, NameTarget):
        return [t.id]
    return [n for e in t.elts for n in target_names(e)]


_BINDING = (
    Assign,
    For,
    StepCall,
    ChildWorkflowCall,
    StartWorkflow,
    AwaitWorkflow,
    MapCall,
    ParallelCall,
    WaitForEvent,
    Primitive,
)


def assigned_names(s: Stmt) -> list[str]:
    """The workflow variables statement ``s`` itself assigns (not those of the statements nested in it);
    ``name[k] = v`` assigns ``name``."""
    if isinstance(s, SetItem):
        return [s.target]
    if isinstance(s, _BINDING):
        return target_names(s.target)
    return []


def read_names(node: Any) -> set[str]:
    """Every workflow variable name an IR subtree reads (a comprehension's or lambda's own variables
    included: they are names too); ``name[k] = v`` reads ``name``, an ``except ... as e`` field reads
    ``e``."""
    out: set[str] = set()

    def visit(x: Any) -> None:
        if isinstance(x, Name):
            out.add(x.id)
        elif isinstance(x, ErrorField):
            out.add(x.name)
        elif isinstance(x, SetItem):
            out.add(x.target)
        if hasattr(x, "__dataclass_fields__"):
            for f in x.__dataclass_fields__:
                visit(getattr(x, f))
        elif isinstance(x, (tuple, list)):
            for y in x:
                visit(y)

    visit(node)
    return out


def change_ids(program: Program) -> tuple[str, ...]:
    """The ``ctx.patched`` change ids of every workflow of ``program``, sorted: what a run started by this
    code records, so that it takes the new branch of each (docs/semantics.md)."""
    found: set[str] = set()
    for wf in program.workflows.values():
        for s in walk_stmts(wf.body):
            found.update(n.change_id for n in own_nodes(s) if isinstance(n, Patched))
    return tuple(sorted(found))
