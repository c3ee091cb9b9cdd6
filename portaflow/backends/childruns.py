"""The refusal of ``ctx.start_workflow`` (a child workflow as a run of its own) on a target that does not
compile it: each such target reports it under a code of its own, saying what to write instead."""

from __future__ import annotations

from portaflow.compiler import ir
from portaflow.compiler.diagnostics import Diagnostic


def child_run_refusals(
    program: ir.Program, code: str, why: str, allowed: tuple[type, ...] = ()
) -> list[Diagnostic]:
    """``code`` at every ``StartWorkflow`` and ``AwaitWorkflow`` of ``program`` (but those of the kinds in
    ``allowed``): the target cannot run ``ctx.start_workflow``, for the reason ``why``."""
    out: list[Diagnostic] = []
    for wf in program.workflows.values():
        for s in ir.walk_stmts(wf.body):
            if isinstance(s, ir.StartWorkflow | ir.AwaitWorkflow) and not isinstance(s, allowed):
                out.append(
                    Diagnostic(
                        code,
                        why,
                        wf.source or program.source,
                        s.loc.line,
                        s.loc.col,
                        "call the workflow inline instead, `child(ctx, ...)` (its steps run in this run, its "
                        "result is checkpointed), or run this workflow on the local engine or AWS",
                    )
                )
    return out
