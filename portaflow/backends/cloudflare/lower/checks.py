"""What the Cloudflare target refuses of a program the frontend accepted: what Cloudflare's engine cannot
carry as written (PFC061), and the expressions the TypeScript lowering cannot give Python's result for
(PFC060, :func:`.expr.refusals`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from portaflow.compiler import ir
from portaflow.compiler.diagnostics import Diagnostic

from . import expr as expressions

# an event's type travels in the URL of Cloudflare's events API and is checked like an instance id
EVENT_TYPE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,99}")


def _statements(body: tuple[ir.Stmt, ...]) -> Iterator[ir.Stmt]:
    for s in body:
        yield s
        for field in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(s, field, ()) or ())
        for h in getattr(s, "handlers", ()) or ():
            yield from _statements(h.body)
        for b in getattr(s, "branches", ()) or ():
            yield from _statements(b.body)


def check(program: ir.Program) -> list[Diagnostic]:
    out: list[Diagnostic] = expressions.refusals(program)
    for wf in program.workflows.values():
        for s in _statements(wf.body):
            if isinstance(s, ir.WaitForEvent) and not EVENT_TYPE.fullmatch(s.event):
                out.append(
                    Diagnostic(
                        "PFC061",
                        f"the event name {s.event!r} is not a Cloudflare event type (letters, digits, '-' "
                        "and '_', at most 100 characters, not starting with '-')",
                        wf.source or program.source,
                        s.loc.line,
                        s.loc.col,
                        f"name the event like {re.sub(r'[^A-Za-z0-9_-]+', '_', s.event).lstrip('-')[:100]!r}",
                    )
                )
    return out
