"""Every scenario runs on every column (target); all must agree with the expectation and with each other."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from .columns import COLUMNS, Outcome, load_module, scenario_files, scenario_workflow
from .example_scenarios import EXAMPLE_SCENARIOS

pytest.importorskip("moto")
pytest.importorskip("jsonata")

SCENARIO_FILES = scenario_files()


def _top_level_order(o: Outcome) -> list[str]:
    seen: list[str] = []
    for c in o.calls:
        path = c.key.split(":", 1)[1]
        if "." not in path and path not in seen:
            seen.append(path)
    return seen


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Outcome]:
    return {}


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_scenario_agrees_on_every_target(path: Path, tmp_path: Path) -> None:
    check(path, load_module(path).SCENARIO, tmp_path)


@pytest.mark.parametrize("name", sorted(EXAMPLE_SCENARIOS))
def test_example_agrees_on_every_target(name: str, tmp_path: Path) -> None:
    path, scenario = EXAMPLE_SCENARIOS[name]
    refused = scenario.get("aws_refuses")
    if refused is not None and _aws_errors(path, scenario):
        # the target cannot express it: the compiler must say so (and the local engine still runs it)
        assert {d.code for d in _aws_errors(path, scenario)} == {refused}
        local = COLUMNS["local"](path, scenario, tmp_path)
        assert local.status == scenario["expect"]["status"]
        if "output" in scenario["expect"]:
            assert local.output == scenario["expect"]["output"]
        return
    if "known_difference" in scenario:
        with pytest.raises(AssertionError, match="differ"):
            check(path, scenario, tmp_path)
        return
    check(path, scenario, tmp_path)


def _aws_errors(path: Path, scenario: dict[str, Any]) -> list[Any]:
    from portaflow.backends.aws.asl import compile_asl
    from portaflow.compiler import compile_file

    res = compile_file(path, scenario_workflow(path, scenario))
    assert res.program is not None and not res.errors
    return [d for d in compile_asl(res.program)[1] if d.severity == "error"]


def check(path: Path, scenario: dict[str, Any], tmp_path: Path) -> None:
    expect = scenario["expect"]
    results = {name: run(path, scenario, tmp_path) for name, run in COLUMNS.items()}
    for name, o in results.items():
        assert o.status == expect["status"], f"{name}: {o.status} {o.error}"
        if "output" in expect:
            assert o.output == expect["output"], name
        if "error" in expect:
            assert o.error == expect["error"], name
        for key, value in expect.get("checks", {}).items():
            assert getattr(o, key) == value, f"{name}: {key}"
    local = results["local"]
    if "output" not in expect:  # then the columns must agree with each other on it
        for name, o in results.items():
            assert o.output == local.output, f"{name} output differs from local"
    for name, o in results.items():
        if name == "local":
            continue
        assert Counter(o.calls) == Counter(local.calls), f"{name} step calls differ from local"
        assert _top_level_order(o) == _top_level_order(local), f"{name} call order differs"
        assert o.sleeps == local.sleeps, f"{name} sleeps differ"


def test_there_are_at_least_30_scenarios() -> None:
    assert len(SCENARIO_FILES) >= 30
