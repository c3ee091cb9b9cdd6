"""Every scenario runs on every column (the local engine and each registered backend's offline executor):
each must meet the scenario's expectation and agree with the local engine on output, step calls, keys,
attempts, retry delays and sleeps. One test per (scenario, target), so a gap shows as that cell.

Marks a scenario may carry, per target (see columns.py): ``refuses`` (the compile must fail with exactly that
code: the target cannot express it, and says so), ``differs`` (a documented difference: the comparison must
fail), ``notyet`` (not supported yet: xfail, and a failure once it passes). The summary lists refusals.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from .columns import Outcome, load_module, run_local, run_target, scenario_files, scenario_workflow, targets
from .example_scenarios import EXAMPLE_SCENARIOS

SCENARIO_FILES = scenario_files()
CASES: dict[str, tuple[Path, dict[str, Any] | None]] = {
    **{p.stem: (p, None) for p in SCENARIO_FILES},  # SCENARIO is read from the module when the test runs
    **{f"example:{name}": case for name, case in sorted(EXAMPLE_SCENARIOS.items())},
}
TARGETS = targets()
_LOCAL: dict[str, Outcome] = {}  # scenario id -> the local engine's outcome, computed once per session


def _scenario(case: str) -> tuple[Path, dict[str, Any]]:
    path, scenario = CASES[case]
    return path, scenario if scenario is not None else load_module(path).SCENARIO


def _local(case: str, path: Path, scenario: dict[str, Any], tmp_path: Path) -> Outcome:
    if case not in _LOCAL:
        _LOCAL[case] = run_local(path, scenario, tmp_path)
    return _LOCAL[case]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", list(CASES))
def test_scenario(case: str, target: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    path, scenario = _scenario(case)
    local = _local(case, path, scenario, tmp_path)
    if target == "local":
        meets_expectation("local", local, scenario["expect"])
        return
    from portaflow.backends import get

    backend = get(target)
    refused = scenario.get("refuses", {}).get(target)
    errors = _target_errors(target, path, scenario)
    if refused is not None:
        assert {d.code for d in errors} == {refused}, f"{target} should refuse it with {refused}: {errors}"
        request.node.user_properties.append(("refused", f"{target}: {refused}"))
        return
    assert not errors, f"{target} refuses a scenario it is not marked as refusing: {errors}"
    notyet = scenario.get("notyet", {}).get(target)
    if not backend.has_offline:
        pytest.skip(f"{target} compiles it; the backend has no offline executor to run it yet")
    differs = scenario.get("differs", {}).get(target)
    try:
        outcome = run_target(target, path, scenario)
        meets_expectation(target, outcome, scenario["expect"])
        agrees_with_local(target, outcome, local, scenario["expect"])
    except AssertionError as exc:
        if differs is not None:
            assert "differ" in str(exc), exc
            return
        if notyet is not None:
            pytest.xfail(f"{target} not yet: {notyet}")
        raise
    except Exception:
        if notyet is not None:
            pytest.xfail(f"{target} not yet: {notyet}")
        raise
    assert differs is None, f"{target} no longer differs ({differs}): remove the mark"
    assert notyet is None, f"{target} now passes: remove its notyet mark ({notyet})"


def _target_errors(target: str, path: Path, scenario: dict[str, Any]) -> list[Any]:
    from portaflow.backends import get
    from portaflow.compiler import compile_file
    from portaflow.compiler.pipeline import target_diagnostics

    res = compile_file(path, scenario_workflow(path, scenario))
    assert res.program is not None and not res.errors, res.errors
    return [d for d in target_diagnostics(get(target), res.program) if d.severity == "error"]


def meets_expectation(name: str, o: Outcome, expect: dict[str, Any]) -> None:
    assert o.status == expect["status"], f"{name}: {o.status} {o.error}"
    if "output" in expect:
        assert o.output == expect["output"], name
    if "error" in expect:
        assert o.error == expect["error"], name
    if "error_matches" in expect:  # a message that holds a time: its type, and a regular expression
        want = expect["error_matches"]
        assert o.error is not None and o.error["type"] == want["type"], f"{name}: {o.error}"
        assert re.fullmatch(want["message"], o.error["message"]), f"{name}: {o.error['message']}"
    for key in ("waiting_for", "wait_label"):
        if key in expect:
            assert getattr(o, key) == expect[key], f"{name}: {key} is {getattr(o, key)!r}"
    for key, value in expect.get("checks", {}).items():
        assert getattr(o, key) == value, f"{name}: {key}"


def agrees_with_local(name: str, o: Outcome, local: Outcome, expect: dict[str, Any]) -> None:
    if "output" not in expect:  # then the columns must agree with each other on it
        assert o.output == local.output, f"{name} output differs from local"
    assert Counter(o.calls) == Counter(local.calls), f"{name} step calls differ from local"
    assert _top_level_order(o) == _top_level_order(local), f"{name} call order differs"
    assert o.sleeps == local.sleeps, f"{name} sleeps differ"
    assert (o.waiting_for, o.wait_label) == (local.waiting_for, local.wait_label), f"{name} wait differs"
    assert o.children == local.children, f"{name} child runs differ"


def _top_level_order(o: Outcome) -> list[str]:
    seen: list[str] = []
    for c in o.calls:
        run, path = c.key.split(":", 1)
        if run in o.children:  # a child run's calls: in an order of their own, compared as a multiset
            continue
        if "." not in path and path not in seen:
            seen.append(path)
    return seen


def test_there_are_at_least_30_scenarios() -> None:
    assert len(SCENARIO_FILES) >= 30


def test_every_registered_backend_is_a_column() -> None:
    from portaflow import backends

    assert ["local", *backends.names()] == TARGETS and "aws" in TARGETS
