"""``for ... else`` and ``while ... else``, lowered to the IR every target already runs: a flag set just
before each ``break`` of the loop (not of a loop inside it), and the ``else`` body under ``if not flag``
after the loop. Python runs the ``else`` body exactly when the loop ends without ``break`` (an exception
or a ``return`` leaves before it), which is what the flag says; a loop without a ``break`` runs it
always."""

from __future__ import annotations

from dataclasses import replace

from .. import ir


def flag_name(loc: ir.Loc) -> str:
    """The loop's flag: a compiler temporary named by the loop's position, the same in every lowering."""
    return ir.temporary(f"broke{loc.line}_{loc.col}")


def with_else(loop: ir.For | ir.While, orelse: list[ir.Stmt]) -> list[ir.Stmt]:
    """``loop`` followed by its ``else`` body, which runs only when no ``break`` of ``loop`` ran."""
    if not orelse:
        return [loop]
    flag = flag_name(loop.loc)
    body, broke = _mark_breaks(loop.body, flag)
    if not broke:
        return [loop, *orelse]
    unset = ir.Assign(ir.NameTarget(flag), ir.Const(False, "bool"), loop.loc)
    test = ir.UnaryOp("not", ir.Name(flag, "bool"), "bool")
    return [unset, replace(loop, body=body), ir.If(test, tuple(orelse), (), loop.loc)]


def _mark_breaks(body: tuple[ir.Stmt, ...], flag: str) -> tuple[tuple[ir.Stmt, ...], bool]:
    """``body`` with the flag set before each of its ``break``s (those inside ifs and trys too, not those of
    a nested loop), and whether there was one."""
    out: list[ir.Stmt] = []
    found = False
    for s in body:
        if isinstance(s, ir.Break):
            out += [ir.Assign(ir.NameTarget(flag), ir.Const(True, "bool"), s.loc), s]
            found = True
        elif isinstance(s, ir.If):
            then, a = _mark_breaks(s.body, flag)
            orelse, b = _mark_breaks(s.orelse, flag)
            out.append(replace(s, body=then, orelse=orelse))
            found = found or a or b
        elif isinstance(s, ir.Try):
            parts = [_mark_breaks(x, flag) for x in (s.body, s.orelse, s.finalbody)]
            handlers = [(h, _mark_breaks(h.body, flag)) for h in s.handlers]
            out.append(
                replace(
                    s,
                    body=parts[0][0],
                    orelse=parts[1][0],
                    finalbody=parts[2][0],
                    handlers=tuple(replace(h, body=b) for h, (b, _) in handlers),
                )
            )
            found = found or any(f for _, f in parts) or any(f for _, (_, f) in handlers)
        else:
            out.append(s)
    return tuple(out), found
