"""``ctx.start_workflow`` on Step Functions: the child workflow is a state machine of its own, started by
the optimized integration ``states:startExecution`` (fire-and-forget) or ``states:startExecution.sync:2``
(``ctx.start_workflow(...).result()``: the Task waits for the child execution and gives its parsed output).

The execution's name is the local engine's child run id, ``f"{run}-c{path}"`` (the path's dots as ``-``, the
parent's name cut to keep 64 characters), built from ``$pf_run`` and the call's position as a step's key
is. A failed child fails the ``.sync:2`` Task with ``States.TaskFailed`` whose Cause is the child's
DescribeExecution output: its ``Error`` and ``Cause`` (the ``{"errorType", "errorMessage"}`` every
portaflow machine fails with) become the ``ChildFailed`` the workflow's ``except`` clauses route.

``handle.result()`` of a child started earlier has no exact form: Step Functions waits for a child only in
the state that starts it (PFC081).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from portaflow.compiler import ir

from .jsonata import jstr

if TYPE_CHECKING:
    from .asl import AslCompiler, Ctx

START_ARN = "arn:aws:states:::states:startExecution"
MAX_CHILD_ID = 64  # the local engine's children.MAX_CHILD_ID (Cloudflare's instance ids)
CHILD_MRO = '["ChildFailed", "Exception", "BaseException"]'

# the $pf_err of a failed child ({type, message, mro, step, attempts}): the child's own error type and
# message (from the Cause, the child's DescribeExecution output, PascalCase on AWS); an aborted child is
# "Cancelled", as the local engine reports a cancelled run
CHILD_ERROR = (
    "($c := $states.errorOutput.Cause; $e := $states.errorOutput.Error; "
    '$p := $type($c) = "string" and $substring($c, 0, 1) = "{" ? $parse($c) : {}; '
    '$s := $lookup($p, "Status"); $ce := $lookup($p, "Error"); $cc := $lookup($p, "Cause"); '
    '$q := $type($cc) = "string" and $substring($cc, 0, 1) = "{" ? $parse($cc) : {}; '
    '$t := $s = "ABORTED" ? "Cancelled" : $exists($lookup($q, "errorType")) ? $lookup($q, "errorType") : '
    "$exists($ce) ? $ce : $e; "
    '$m := $s = "ABORTED" ? "the run was cancelled" : $exists($lookup($q, "errorMessage")) ? '
    '$lookup($q, "errorMessage") : $type($cc) = "string" ? $cc : $type($c) = "string" ? $c : ""; '
    f'{{"type": $t, "message": $m, "mro": $append([$t], {CHILD_MRO}), "step": null, "attempts": null}})'
)


def machine_ident(workflow_key: str) -> str:
    """The name a started workflow's state machine goes by in the project (``billing.pay`` -> billing_pay)."""
    return re.sub(r"[^A-Za-z0-9]", "_", workflow_key)


def machine_ref(workflow_key: str) -> str:
    """The definition substitution that becomes the child state machine's ARN."""
    return "${Machine_" + machine_ident(workflow_key) + "}"


def started_workflows(program: ir.Program) -> list[str]:
    """The keys of every workflow some workflow of ``program`` starts as a run of its own, in order."""
    found: dict[str, None] = {}
    for wf in program.workflows.values():
        for s in ir.walk_stmts(wf.body):
            if isinstance(s, ir.StartWorkflow):
                found.setdefault(s.workflow)
    return list(found)


def child_name(c: AslCompiler, ctx: Ctx) -> str:
    """The child execution's name: ``$pf_run`` cut and the ``-c`` suffix of the call's path."""
    path = f"{ctx.prefix_expr} & $string(${ctx.seq_var})"
    return (
        f'($x := "-c" & $replace({path}, ".", "-"); '
        f"$substring($pf_run, 0, {MAX_CHILD_ID} - $length($x)) & $x)"
    )


def start_workflow(c: AslCompiler, s: ir.StartWorkflow, nxt: str, ctx: Ctx) -> str:
    child = c.p.workflows[s.workflow]
    verb = "Run" if s.wait else "Start"
    n = c.name(f"{verb} {child.name}", s.loc)
    low = c.low(ctx)
    given = dict(s.args)
    fields = ", ".join(f"{jstr(k)}: {low.lower(v)}" for k, v in given.items())
    task: dict[str, Any] = {
        "Type": "Task",
        "Resource": START_ARN + (".sync:2" if s.wait else ""),
        "Arguments": {
            "StateMachineArn": machine_ref(s.workflow),
            "Name": "{% " + child_name(c, ctx) + " %}",
            "Input": "{% " + low.finish("{" + fields + "}") + " %}",
        },
    }
    inc = {ctx.seq_var: f"{{% ${ctx.seq_var} + 1 %}}"}
    # waiting: the child's output; not waiting: the handle's variable holds the child's run id
    value = '$lookup($states.result, "Output")' if s.wait else child_name(c, ctx)
    task["Assign"] = {**c.assign_target(ctx, s.target, value), **inc}
    task["Catch"] = c.catchers(ctx, inc, s.loc, CHILD_ERROR)
    task["Next"] = nxt
    c.states[n] = task
    return n


def await_workflow(c: AslCompiler, s: ir.AwaitWorkflow, nxt: str, ctx: Ctx) -> str:
    """Refused (PFC081): a Pass keeps the definition whole for the other diagnostics."""
    c.err(
        s.loc,
        f"{s.handle}.result() waits for a child started earlier: Step Functions waits for a child execution "
        "only in the state that starts it (states:startExecution.sync:2)",
        f"start and wait in one statement, `x = ctx.start_workflow({c.p.workflows[s.workflow].function}, "
        "...).result()`; to run children side by side, start them without waiting",
        code="PFC081",
    )
    n = c.name(f"Await {s.handle}", s.loc)
    c.states[n] = {"Type": "Pass", "Next": nxt}
    return n
