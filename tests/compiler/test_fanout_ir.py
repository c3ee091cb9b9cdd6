"""Durable work in fan-outs, in the IR (version 7): ctx.map over a @workflow, branches holding any
statement, an event name computed at run time; and which waits in a fan-out may share a name with
another open wait (what Azure and Cloudflare refuse, backends/fanout.py)."""

from __future__ import annotations

from portaflow.backends.fanout import shared_waits
from portaflow.compiler import compile_source, ir

HEAD = "from portaflow import workflow, step, Context\n\n@step\ndef s(x: str) -> str:\n    return x\n\n"
CHILD = "@workflow\ndef child(ctx: Context, item: str, n: int = 1):\n{}\n\n"


def _program(child_body: str, body: str) -> ir.Program:
    src = HEAD + CHILD.format(child_body) + "@workflow\ndef w(ctx: Context, xs: list):\n" + body
    res = compile_source(src, "wf.py", "w")
    assert res.diagnostics == [] and res.program is not None, res.diagnostics
    return res.program


def test_map_over_a_workflow_names_the_workflow_and_survives_the_json() -> None:
    prog = _program("    return s(item)", "    return ctx.map(child, xs, max_concurrency=2)\n")
    (m,) = [st for st in prog.workflows["w"].body if isinstance(st, ir.MapCall)]
    assert (m.step, m.workflow, m.max_concurrency) == (None, "child", 2)
    assert prog.ir_version == 7 and ir.from_json(ir.to_json(prog)) == prog
    assert "workflow" not in ir.to_json(_program("    return s(item)", "    return ctx.map(s, xs)\n"))


def test_an_event_name_computed_at_run_time_is_an_expression() -> None:
    prog = _program("    return ctx.wait_for_event(f'approve:{item}')", "    return ctx.map(child, xs)\n")
    (wait,) = [st for st in ir.walk_stmts(prog.workflows["child"].body) if isinstance(st, ir.WaitForEvent)]
    assert isinstance(wait.event, ir.FString) and ir.from_json(ir.to_json(wait)) == wait


def test_branches_hold_sleeps_waits_child_workflows_and_fan_outs() -> None:
    body = (
        "    def b():\n        ctx.sleep('1h')\n        v = ctx.wait_for_event('go')\n"
        "        return ctx.parallel(lambda: child(ctx, v), lambda: ctx.map(s, xs))\n"
        "    return ctx.parallel(b, lambda: ctx.sleep('2s'))\n"
    )
    prog = _program("    return s(item)", body)
    kinds = [type(st).__name__ for st in ir.walk_stmts(prog.workflows["w"].body)]
    for kind in ("Sleep", "WaitForEvent", "ChildWorkflowCall", "MapCall"):
        assert kind in kinds


def test_ctx_patched_in_a_branch_stays_refused() -> None:
    src = HEAD + "@workflow\ndef w(ctx: Context):\n    return ctx.parallel(lambda: ctx.patched('x'))\n"
    assert [d.code for d in compile_source(src, "wf.py").diagnostics] == ["PFC031"]


def _shared(child_body: str, body: str) -> list[str]:
    return [
        str(w.wait.event) if isinstance(w.wait.event, str) else "computed"
        for w in shared_waits(_program(child_body, body))
    ]


def test_waits_that_may_share_a_name_with_another_open_wait() -> None:
    waits = "    return ctx.wait_for_event({})"
    # a map item's wait: every item waits for it (a literal), or may compute the same name
    assert _shared(waits.format("'ok'"), "    return ctx.map(child, xs)\n") == ["ok"]
    assert _shared(waits.format("f'ok:{item}'"), "    return ctx.map(child, xs)\n") == ["computed"]
    # two branches waiting for one literal name (here through the same child workflow)
    two = "    return ctx.parallel(lambda: child(ctx, 'a'), lambda: child(ctx, 'b'))\n"
    assert _shared(waits.format("'ok'"), two) == ["ok", "ok"]
    # distinct literal names in the branches, a wait in one branch only, a wait outside any fan-out
    distinct = "    return ctx.parallel(lambda: ctx.wait_for_event('a'), lambda: ctx.wait_for_event('b'))\n"
    assert _shared("    return s(item)", distinct) == []
    assert _shared("    return s(item)", "    return ctx.parallel(lambda: ctx.wait_for_event('a'))\n") == []
    assert _shared(waits.format("f'ok:{item}'"), "    return child(ctx, 'x')\n") == []
