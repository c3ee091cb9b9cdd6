"""The compiler accepts @workflow(timeout=..., schedule=..., timezone=...): the timeout is carried in the IR
(absent when not given, so existing IR is unchanged) and becomes the state machine's TimeoutSeconds on AWS;
a schedule is the local worker's (docs/ir.md says how each target's scheduler maps)."""

from __future__ import annotations

import json
from pathlib import Path

from portaflow.backends import get
from portaflow.compiler import compile_source, ir
from portaflow.compiler.pipeline import compile_for

FLOW = """
from portaflow import Context, step, workflow

@step
def one() -> int:
    return 1

@workflow(timeout="30m")
def child(ctx: Context) -> int:
    return one()

@workflow({options})
def main(ctx: Context) -> int:
    a = child(ctx)
    return a
"""


def _program(options: str) -> ir.Program:
    res = compile_source(FLOW.format(options=options), "wf.py", "main")
    assert res.program is not None and not res.diagnostics, res.diagnostics
    return res.program


def test_the_timeout_is_carried_in_the_ir_in_seconds() -> None:
    program = _program('timeout="7d"')
    assert program.workflows[program.entry].timeout == 7 * 86400
    data = ir.to_json(program)
    assert isinstance(data, dict)
    entry = data["workflows"][program.entry]  # type: ignore[index,call-overload]
    assert entry["timeout"] == 7 * 86400
    assert ir.from_json(data) == program


def test_without_a_timeout_the_ir_json_is_as_before() -> None:
    program = _program('name="main"')
    assert program.workflows[program.entry].timeout is None
    assert "timeout" not in json.dumps(ir.to_json(program)["workflows"][program.entry])  # type: ignore[index,call-overload]


def test_schedule_and_timezone_compile() -> None:
    program = _program('schedule="0 9 * * MON", timezone="Europe/Paris"')
    assert program.workflows[program.entry].timeout is None


def test_an_unknown_option_is_still_pfc011_naming_the_options() -> None:
    (d,) = compile_source(FLOW.format(options="retries=3"), "wf.py", "main").diagnostics
    assert d.code == "PFC011" and "@workflow has no option 'retries'" in d.message
    assert 'timeout="7d"' in d.hint


def _asl(tmp_path: Path, options: str) -> tuple[dict[str, object], list[str]]:
    path = tmp_path / "wf.py"
    path.write_text(FLOW.format(options=options))
    compiled = compile_for(path, "main", get("aws"))
    if compiled.project is None:
        return {}, [f"{d.code} {d.message}" for d in compiled.errors]
    return json.loads(compiled.project.files["statemachine.asl.json"]), []


def test_on_aws_the_entry_workflows_timeout_is_the_state_machines_timeout_seconds(tmp_path: Path) -> None:
    asl, errors = _asl(tmp_path, 'timeout="7d"')
    assert not errors and asl["TimeoutSeconds"] == 7 * 86400
    asl, _ = _asl(tmp_path, "")
    assert "TimeoutSeconds" not in asl  # nor the child's: it runs inside the parent's execution


def test_on_aws_a_timeout_of_a_fraction_of_a_second_is_refused(tmp_path: Path) -> None:
    _, errors = _asl(tmp_path, 'timeout="1500ms"')
    assert errors == [
        "PFC040 the workflow's timeout is 1.5s: Step Functions only counts whole seconds (>= 1)"
    ]


def test_ctx_patched_is_an_expression_in_the_ir_with_its_change_ids_listed() -> None:
    src = FLOW.format(options="").replace("    a = child(ctx)\n", '    a = 1 if ctx.patched("x") else 2\n')
    res = compile_source(src, "wf.py", "main")
    assert res.diagnostics == [] and res.program is not None
    assert ir.change_ids(res.program) == ("x",)
    (assign, _) = res.program.workflows["main"].body
    assert isinstance(assign, ir.Assign) and isinstance(assign.value, ir.IfExp)
    assert assign.value.test == ir.Patched("x")


def test_ctx_patched_needs_a_literal_change_id() -> None:
    src = FLOW.format(options="").replace("    a = child(ctx)\n", "    a = 1 if ctx.patched(str(2)) else 2\n")
    (d,) = compile_source(src, "wf.py", "main").diagnostics
    assert d.code == "PFC021"
    assert d.message == "ctx.patched() needs its change id as a literal, non-empty string"
    assert d.hint == 'name the change in the call: `ctx.patched("welcome-v2")`'
