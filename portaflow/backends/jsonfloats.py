"""Where ``json.dumps`` gets a value that may hold an integral float (42.0) whose float-ness a target's
values lose: JSON numbers on Step Functions, JavaScript numbers on Cloudflare. Python writes ``42.0``, those
targets ``42``; each backend warns there with a code of its own (PFW102 on AWS, PFW160 on Cloudflare)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portaflow.compiler import ir


def json_dumps_sites(program: ir.Program, exact: tuple[str, ...]) -> Iterator[tuple[ir.WorkflowDef, ir.Stmt]]:
    """Each statement holding ``json.dumps(x)`` with ``x`` of a static type outside ``exact`` (the types whose
    JSON text the target writes as Python does), with its workflow."""
    from portaflow.compiler import ir

    for wf in program.workflows.values():
        for s in ir.walk_stmts(wf.body):
            if any(
                isinstance(c, ir.Call) and c.func == "json.dumps" and c.args and c.args[0].ty not in exact
                for c in ir.own_nodes(s)
            ):
                yield wf, s
