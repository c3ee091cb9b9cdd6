"""The IR: JSON-serialisable, printed by `compile --target ir`, and covered node by node by the conformance
scenarios (every statement and expression kind appears in at least one of them)."""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Any

import pytest
from conformance.columns import scenario_files, scenario_workflow

from portaflow.compiler import compile_file, ir
from portaflow.compiler.cli import main
from portaflow.compiler.graph import to_dot, to_mermaid

SCENARIOS = scenario_files()


def _kinds(node: Any, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        if "kind" in node:
            out.add(node["kind"])
        for v in node.values():
            _kinds(v, out)
    elif isinstance(node, list):
        for v in node:
            _kinds(v, out)
    return out


def _all_node_kinds() -> set[str]:
    kinds = set()
    for alias in (ir.Expr, ir.Stmt, ir.Target):
        for cls in typing.get_args(alias):
            kinds.add(next(f.default for f in dataclasses.fields(cls) if f.name == "kind"))
    return kinds


def test_every_ir_node_kind_is_exercised_by_a_conformance_scenario() -> None:
    seen: set[str] = set()
    for src in SCENARIOS:
        res = compile_file(src, scenario_workflow(src))
        assert res.program is not None and not res.errors, src
        _kinds(json.loads(json.dumps(ir.to_json(res.program))), seen)
    missing = _all_node_kinds() - seen
    assert not missing, f"no conformance scenario uses {sorted(missing)}"


def test_compile_target_ir_prints_the_program_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile", f"{SCENARIOS[0]}:sequential", "--target", "ir"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "program" and data["entry"] == "sequential"
    body = data["workflows"]["sequential"]["body"]
    assert [s["kind"] for s in body] == ["step_call", "step_call", "return"]
    assert data["steps"]["fetch"]["retry"] == {
        "max_attempts": 3,
        "initial_interval": 1.0,
        "backoff": 2.0,
        "max_interval": 60.0,
        "non_retryable": [],
        "non_retryable_matches": [],
        "kind": "retryspec",
    }


def test_decorator_literals_become_the_step_policy() -> None:
    src = next(p for p in SCENARIOS if p.stem == "s42_except_by_base_class")
    prog = compile_file(src).program
    assert prog is not None
    find = prog.steps["find"].retry
    assert find.max_attempts == 3 and find.initial_interval == 2.0 and find.non_retryable == ("LookupError",)
    assert {"LookupError", "KeyError", "IndexError"} <= set(find.non_retryable_matches)
    spend = prog.steps["spend"].retry
    assert "QuotaExceeded" in spend.non_retryable_matches  # a subclass defined in the module


def test_graph_draws_branches_and_loop_back_edges() -> None:
    src = next(p for p in SCENARIOS if p.stem == "s04_for_break_continue")
    prog = compile_file(src).program
    assert prog is not None
    mermaid = to_mermaid(prog)
    assert mermaid.startswith("flowchart TD\n")
    assert '{"for L' in mermaid and '["step check"]' in mermaid and "-->|done|" in mermaid
    dot = to_dot(prog)
    assert dot.startswith('digraph "scan" {') and "shape=diamond" in dot


def test_an_error_attribute_is_a_step_failures_unless_a_project_class_defines_it() -> None:
    """`e.message` raises AttributeError on an error that is not a StepFailed, unless a class of the project
    has a `message` (set on self, or in the class body); `except StepFailed as e` always has it."""
    from portaflow.compiler.frontend import compile_source

    src = (
        "from portaflow import Context, StepFailed, workflow\n\n"
        "class AppError(Exception):\n    code = 1\n\n    def __init__(self, message):\n"
        "        super().__init__(message)\n        self.message = message\n\n"
        "@workflow\ndef w(ctx: Context, d: dict) -> list:\n    out = []\n"
        "    try:\n        x = d['k']\n    except KeyError as e:\n"
        "        out.append([e.message, e.type, e.step])\n"
        "    try:\n        x = d['k']\n    except StepFailed as e:\n        out.append(e.type)\n"
        "    return out\n"
    )
    res = compile_source(src, "w.py")
    assert res.program is not None and not res.errors
    fields = [
        node
        for node in _walk_json(ir.to_json(res.program.workflows["w"].body))
        if node.get("kind") == "error_field"
    ]
    only = {(f["field"], f["step_failure_only"]) for f in fields}
    assert only == {("message", False), ("type", True), ("step", True), ("type", False)}


def _walk_json(node: object) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    if isinstance(node, dict):
        out.append(node)
        for v in node.values():
            out += _walk_json(v)
    elif isinstance(node, list):
        for v in node:
            out += _walk_json(v)
    return out


def test_from_json_reads_back_every_scenarios_program() -> None:
    """ir.from_json is to_json's inverse (through JSON text), so a backend may read the IR another process
    printed; a constant's list and a constant dict with a "kind" key stay JSON values."""
    for src in SCENARIOS:
        res = compile_file(src, scenario_workflow(src))
        assert res.program is not None, src
        text = json.dumps(ir.to_json(res.program))
        assert ir.from_json(json.loads(text)) == res.program, src
    odd = ir.Const({"kind": "name", "id": "x", "items": [1, [2]]}, "dict")
    assert ir.from_json(json.loads(json.dumps(ir.to_json(odd)))) == odd


def test_the_walks_name_what_a_statement_binds_and_reads() -> None:
    body = (
        ir.Assign(
            ir.TupleTarget((ir.NameTarget("a"), ir.NameTarget("b"))),
            ir.Call("len", (ir.Name("xs"),), (), "int"),
            ir.Loc(1, 1),
        ),
        ir.If(
            ir.Name("c"),
            (ir.SetItem("d", ir.Const("k", "str"), ir.Name("a"), ir.Loc(2, 1)),),
            (),
            ir.Loc(2, 1),
        ),
    )
    assert [k.kind for k in ir.walk_stmts(body)] == ["assign", "if", "set_item"]
    assert [n for s in ir.walk_stmts(body) for n in ir.assigned_names(s)] == ["a", "b", "d"]
    assert ir.read_names(body) == {"xs", "c", "d", "a"}
    assert ir.may_raise(body[0].value)  # len() of a value of another type: TypeError
    assert not ir.may_raise(ir.Call("str", (ir.Name("xs"),), (), "str"))
    assert ir.may_raise(ir.Call("str", (ir.Name("xs"), ir.Name("e")), (), "str"))  # str(b, encoding)
