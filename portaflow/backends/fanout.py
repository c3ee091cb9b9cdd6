"""Event waits inside a fan-out that may be open at once with another wait for the same event name.

portaflow's rule (docs/semantics.md, "map and parallel") gives such an event to the open wait at the lowest
position. The local engine follows it, Step Functions too (the events function keeps every open wait's
token with its position), Durable Functions (the runtime's per-name inbox) and Cloudflare (whose engine
would pick the waiter itself: a program with a wait this finds routes its events through a Durable Object
per run, runtime/events.ts). A wait is found when it runs inside a ctx.map item or a ctx.parallel branch
(through child workflows too) and either its name is computed at run time (two items may compute one
name), it is in a map item (every item waits for that name), or a wait for the same literal name is in
another branch of an enclosing ctx.parallel.
"""

from __future__ import annotations

from dataclasses import dataclass

from portaflow.compiler import ir


@dataclass(frozen=True)
class FanOutWait:
    wait: ir.WaitForEvent
    source: str  # the file of the workflow holding it
    in_map: bool
    branches: tuple[tuple[int, int], ...]  # (id of an enclosing ParallelCall, branch index), outermost first


def _own_statements(body: tuple[ir.Stmt, ...]) -> list[ir.Stmt]:
    """The statements of ``body`` and those nested in its blocks, not those of its parallel branches."""
    out: list[ir.Stmt] = []
    for s in body:
        out.append(s)
        if isinstance(s, ir.If):
            out += _own_statements(s.body) + _own_statements(s.orelse)
        elif isinstance(s, (ir.While, ir.For)):
            out += _own_statements(s.body)
        elif isinstance(s, ir.Try):
            out += _own_statements(s.body)
            for h in s.handlers:
                out += _own_statements(h.body)
            out += _own_statements(s.orelse) + _own_statements(s.finalbody)
    return out


def shared_waits(program: ir.Program) -> list[FanOutWait]:
    """The waits in fan-outs whose event another wait may take while both are open, in source order
    (a child workflow's wait once per place it is called from)."""
    found: list[FanOutWait] = []

    def visit(
        body: tuple[ir.Stmt, ...],
        source: str,
        in_map: bool,
        branches: tuple[tuple[int, int], ...],
        stack: tuple[str, ...],
    ) -> None:
        for s in _own_statements(body):
            if isinstance(s, ir.WaitForEvent) and (in_map or branches):
                found.append(FanOutWait(s, source, in_map, branches))
            elif isinstance(s, ir.ChildWorkflowCall) and s.workflow not in stack:
                wf = program.workflows[s.workflow]
                visit(wf.body, wf.source or source, in_map, branches, (*stack, s.workflow))
            elif isinstance(s, ir.MapCall) and s.workflow is not None and s.workflow not in stack:
                wf = program.workflows[s.workflow]
                visit(wf.body, wf.source or source, True, branches, (*stack, s.workflow))
            elif isinstance(s, ir.ParallelCall):
                for b, br in enumerate(s.branches):
                    visit(br.body, source, in_map, (*branches, (id(s), b)), stack)

    entry = program.workflows[program.entry]
    visit(entry.body, entry.source or program.source, False, (), (program.entry,))

    def apart(a: FanOutWait, b: FanOutWait) -> bool:
        """Whether two waits lie in different branches of one ctx.parallel (so may be open at once)."""
        pa = dict(a.branches)
        return any(p in pa and pa[p] != i for p, i in b.branches)

    def shared(w: FanOutWait) -> bool:
        if not isinstance(w.wait.event, str) or w.in_map:
            return True
        return any(o is not w and o.wait.event == w.wait.event and apart(w, o) for o in found)

    return [w for w in found if shared(w)]
