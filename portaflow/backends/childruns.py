"""The refusal of ``ctx.start_workflow`` (a child workflow as a run of its own) on a target that does not
compile it: each such target reports it under a code of its own, saying what to write instead."""

from __future__ import annotations

from collections.abc import Callable

from portaflow.compiler import ir
from portaflow.compiler.diagnostics import Diagnostic


def child_run_refusals(
    program: ir.Program,
    code: str,
    why: str,
    reason: Callable[[ir.WorkflowDef, ir.StartWorkflow | ir.AwaitWorkflow], str | None] | None = None,
) -> list[Diagnostic]:
    """``code`` at every ``StartWorkflow`` and ``AwaitWorkflow`` of ``program`` the target cannot run:
    all of them for the reason ``why``, or, given ``reason``, those it names a reason for (None: compiled)."""
    out: list[Diagnostic] = []
    for wf in program.workflows.values():
        for s in ir.walk_stmts(wf.body):
            if not isinstance(s, ir.StartWorkflow | ir.AwaitWorkflow):
                continue
            text = why if reason is None else reason(wf, s)
            if text is not None:
                out.append(
                    Diagnostic(
                        code,
                        text,
                        wf.source or program.source,
                        s.loc.line,
                        s.loc.col,
                        "call the workflow inline instead, `child(ctx, ...)` (its steps run in this run, its "
                        "result is checkpointed), or run this workflow on the local engine or AWS",
                    )
                )
    return out
