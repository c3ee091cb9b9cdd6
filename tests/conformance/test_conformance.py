"""Every scenario runs on every column (target); all must agree with the expectation and with each other."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from .columns import COLUMNS, SCENARIOS, Outcome, load_module

pytest.importorskip("moto")
pytest.importorskip("jsonata")

SCENARIO_FILES = sorted(p for p in SCENARIOS.glob("*.py") if not p.name.startswith("_"))


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
    scenario = load_module(path).SCENARIO
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
    for name, o in results.items():
        if name == "local":
            continue
        assert Counter(o.calls) == Counter(local.calls), f"{name} step calls differ from local"
        assert _top_level_order(o) == _top_level_order(local), f"{name} call order differs"
        assert o.sleeps == local.sleeps, f"{name} sleeps differ"


def test_there_are_at_least_30_scenarios() -> None:
    assert len(SCENARIO_FILES) >= 30
