"""The frontend's lowering of ctx.start_workflow (IR 7: StartWorkflow, AwaitWorkflow) and its PFC080."""

from __future__ import annotations

import textwrap

import pytest

from portaflow.compiler import compile_source, ir

PRELUDE = textwrap.dedent(
    """
    from portaflow import Context, step, workflow


    @step
    def charge(n: int) -> int:
        return n


    @workflow
    def pay(ctx: Context, n: int, note: str = "") -> int:
        return charge(n)


    """
)


def lowered(body: str) -> tuple[tuple[ir.Stmt, ...], list[str]]:
    src = PRELUDE + "@workflow\ndef shop(ctx: Context, n: int):\n" + textwrap.indent(body, "    ")
    res = compile_source(src, "app.py", "shop")
    codes = [d.code for d in res.diagnostics if d.severity == "error"]
    body_ir = res.program.workflows["shop"].body if res.program is not None else ()
    return body_ir, codes


def test_start_and_wait_is_one_statement_and_the_child_is_in_the_program() -> None:
    body, codes = lowered("x = ctx.start_workflow(pay, n, note='a').result()\nreturn x\n")
    assert codes == []
    start = body[0]
    assert isinstance(start, ir.StartWorkflow) and start.wait and start.workflow == "pay"
    assert [k for k, _ in start.args] == ["n", "note"]
    assert start.target == ir.NameTarget("x")


def test_a_handle_holds_the_run_id_and_its_result_is_an_await() -> None:
    body, codes = lowered("h = ctx.start_workflow(pay, ctx, n)\nr = h.result()\nreturn [h.run_id, r]\n")
    assert codes == []
    start, wait, ret = body
    assert isinstance(start, ir.StartWorkflow) and not start.wait
    assert isinstance(wait, ir.AwaitWorkflow) and (wait.handle, wait.workflow) == ("h", "pay")
    assert isinstance(ret, ir.Return) and ret.value.items[0] == ir.Name("h", "str")  # type: ignore[attr-defined]


def test_fire_and_forget_has_no_target() -> None:
    body, codes = lowered("ctx.start_workflow(pay, 1)\nreturn 0\n")
    assert codes == [] and isinstance(body[0], ir.StartWorkflow) and body[0].target is None


def test_the_ir_round_trips_through_json_at_version_7() -> None:
    src = (
        PRELUDE
        + "@workflow\ndef shop(ctx: Context):\n    h = ctx.start_workflow(pay, 1)\n    return h.result()\n"
    )
    program = compile_source(src, "app.py", "shop").program
    assert program is not None and program.ir_version == 7
    assert ir.from_json(ir.to_json(program)) == program


@pytest.mark.parametrize(
    "body",
    [
        "h = ctx.start_workflow(pay, 1)\nreturn h\n",  # the handle as a value
        "h = ctx.start_workflow(pay, 1)\nreturn {'child': h}\n",
        "h = ctx.start_workflow(pay, 1)\nreturn h.status\n",  # no such attribute
        "xs = [0]\nxs[0] = ctx.start_workflow(pay, 1)\nreturn 1\n",  # not a name of its own
        "r = ctx.start_workflow(pay, 1).result(5)\nreturn r\n",
    ],
)
def test_a_handle_used_otherwise_is_pfc080(body: str) -> None:
    _, codes = lowered(body)
    assert "PFC080" in codes


def test_what_is_started_must_be_a_workflow_and_not_the_workflow_itself() -> None:
    _, codes = lowered("ctx.start_workflow(charge, 1)\nreturn 0\n")
    assert codes == ["PFC030"]
    src = PRELUDE + "@workflow\ndef loop(ctx: Context):\n    ctx.start_workflow(loop)\n    return 0\n"
    assert [d.code for d in compile_source(src, "app.py", "loop").diagnostics] == ["PFC032"]
