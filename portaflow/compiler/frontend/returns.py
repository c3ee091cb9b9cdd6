"""A helper's IR body made straight-line for inlining: every ``return v`` becomes ``result = v``, and what
would run after it is skipped, as in Python, without a jump the IR does not have.

A ``return`` that ends a path needs nothing more. An ``if`` one branch of which always leaves takes the
statements after it into its other branch. Anywhere else (a ``return`` inside a loop, a ``try``, or an
``if`` whose branches both may fall through) a flag records that the helper returned: a loop is left with
``break`` and the statements after it run only while the flag is unset (``finally`` clauses still run, as
Python runs them)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .. import ir


@dataclass
class Exit:
    """Where a helper's ``return`` goes: the result variable, and the flag once one needs it."""

    result: str
    done: str
    flag_used: bool = False


def eliminate(body: tuple[ir.Stmt, ...], ex: Exit) -> list[ir.Stmt]:
    """``body`` with its returns made assignments to ``ex.result``; ``ex.done`` is set first when used."""
    out = _sequence(list(body), ex, in_loop=False, tail=True)
    if ex.flag_used:
        start = ir.Assign(ir.NameTarget(ex.done), ir.Const(False, "bool"), _first_loc(body))
        out = [start, *out]
    return out


def returns_in(stmts: tuple[ir.Stmt, ...] | list[ir.Stmt]) -> bool:
    return any(isinstance(s, ir.Return) for s in ir.walk_stmts(tuple(stmts)))


def falls_through(stmts: tuple[ir.Stmt, ...] | list[ir.Stmt]) -> bool:
    """Whether the end of ``stmts`` may be reached (conservative: True unless a return or raise ends
    every path)."""
    if not stmts:
        return True
    last = stmts[-1]
    if isinstance(last, (ir.Return, ir.Raise)):
        return False
    if isinstance(last, ir.If):
        return falls_through(last.body) or falls_through(last.orelse)
    return True


def _first_loc(body: tuple[ir.Stmt, ...]) -> ir.Loc:
    for s in body:
        loc = getattr(s, "loc", None)
        if isinstance(loc, ir.Loc):
            return loc
    return ir.Loc(1, 1)


def _sequence(stmts: list[ir.Stmt], ex: Exit, in_loop: bool, tail: bool) -> list[ir.Stmt]:
    """``tail``: nothing of the helper runs after this sequence; ``in_loop``: inside a loop of the helper."""
    out: list[ir.Stmt] = []
    for i, s in enumerate(stmts):
        rest = stmts[i + 1 :]
        if isinstance(s, ir.Return):
            out.append(ir.Assign(ir.NameTarget(ex.result), s.value, s.loc))
            if not tail:
                ex.flag_used = True
                out.append(ir.Assign(ir.NameTarget(ex.done), ir.Const(True, "bool"), s.loc))
                if in_loop:
                    out.append(ir.Break(s.loc))
            return out  # what follows a return never runs
        if not returns_in((s,)):
            out.append(s)
            continue
        if isinstance(s, ir.If) and not (falls_through(s.body) and falls_through(s.orelse)):
            # one branch always leaves: the rest of the sequence belongs to the other one
            body = [*s.body, *(rest if falls_through(s.body) else [])]
            orelse = [*s.orelse, *(rest if falls_through(s.orelse) else [])]
            out.append(
                dataclasses.replace(
                    s,
                    body=tuple(_sequence(body, ex, in_loop, tail)),
                    orelse=tuple(_sequence(orelse, ex, in_loop, tail)),
                )
            )
            return out
        out.append(_children(s, ex, in_loop))
        ex.flag_used = True
        after = _sequence(rest, ex, in_loop, tail)
        flag = ir.Name(ex.done, "bool")
        loc = getattr(s, "loc", ir.Loc(1, 1))
        if in_loop:
            out.append(ir.If(flag, (ir.Break(loc),), (), loc))
            out.extend(after)
        elif after:
            out.append(ir.If(ir.UnaryOp("not", flag, "bool"), tuple(after), (), loc))
        return out
    return out


def _children(s: ir.Stmt, ex: Exit, in_loop: bool) -> ir.Stmt:
    """``s`` with the returns inside it made assignments that set the flag (something follows ``s``)."""

    def seq(body: tuple[ir.Stmt, ...], loop: bool = in_loop) -> tuple[ir.Stmt, ...]:
        return tuple(_sequence(list(body), ex, loop, tail=False))

    if isinstance(s, ir.If):
        return dataclasses.replace(s, body=seq(s.body), orelse=seq(s.orelse))
    if isinstance(s, (ir.While, ir.For)):
        return dataclasses.replace(s, body=seq(s.body, True))
    if isinstance(s, ir.Try):
        handlers = tuple(dataclasses.replace(h, body=seq(h.body)) for h in s.handlers)
        orelse = seq(s.orelse)
        if orelse and returns_in(s.body):  # `else:` runs only when the body ends without returning
            orelse = (ir.If(ir.UnaryOp("not", ir.Name(ex.done, "bool"), "bool"), orelse, (), s.loc),)
        return dataclasses.replace(s, body=seq(s.body), handlers=handlers, orelse=orelse)
    return s
