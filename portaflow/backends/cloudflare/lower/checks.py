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


# json.dumps of these types writes Python's text here (a float-typed value keeps its '.0': the lowering knows)
EXACT_JSON_TYPES = ("str", "int", "bool", "none", "float")


def check(program: ir.Program) -> list[Diagnostic]:
    out: list[Diagnostic] = expressions.refusals(program)
    out += json_float_warnings(program)
    for wf in program.workflows.values():
        for s in _statements(wf.body):
            if (
                isinstance(s, ir.WaitForEvent)
                and isinstance(s.event, str)  # a computed name waits as its stand-in (eventType)
                and not EVENT_TYPE.fullmatch(s.event)
            ):
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


def json_float_warnings(program: ir.Program) -> list[Diagnostic]:
    """PFW160 where ``json.dumps`` gets a value that may hold an integral float from outside the workflow
    (a step result, an event payload, the input): a JavaScript number does not keep 42.0's '.0'."""
    from portaflow.backends.jsonfloats import json_dumps_sites

    return [
        Diagnostic(
            "PFW160",
            "json.dumps of a value that may hold floats: on Cloudflare a float with an integral value (42.0) "
            "that comes from a step, an event or the input is written as 42",
            wf.source or program.source,
            s.loc.line,
            s.loc.col,
            'format numbers explicitly (f"{x:.2f}") where the text matters, or build the text in a @step',
            "warning",
        )
        for wf, s in json_dumps_sites(program, EXACT_JSON_TYPES)
    ]
