"""Runs of the examples recorded on the Azure column are kept as golden histories and replayed against
freshly generated code: a change to the compiler or the runtime that would break the replay of an in-flight
orchestration (another action at a recorded position, another result) fails here. `pytest --update-goldens`
records them again; review the diff, since an intended change of the generated orchestrator breaks
in-flight runs of the deployed app."""

from __future__ import annotations

import functools
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conformance.columns import deliver
from conformance.example_scenarios import EXAMPLE_SCENARIOS

from portaflow.backends.azure.offline.executor import AzureExecutor
from portaflow.backends.azure.offline.host import DurableHost
from portaflow.backends.azure.project import build_project
from portaflow.compiler.frontend import compile_file

HISTORIES = Path(__file__).parent / "histories"
CASES = sorted(EXAMPLE_SCENARIOS)


def _record(path: Path, scenario: dict[str, Any]) -> dict[str, Any]:
    run_id = scenario.get("run_id", "run-1")
    with AzureExecutor(path, scenario.get("workflow")) as ex:
        run = ex.start(scenario.get("input", {}), run_id=run_id)
        for action in scenario.get("actions", []):
            deliver(action, functools.partial(ex.signal, run_id), ex.advance, ex.signal)
        history = ex.host.history(run_id)
        state = ex.host.replay(
            ex.program.workflows[ex.program.entry].name, run_id, scenario.get("input", {}), history
        )
        assert run.status in ("completed", "failed"), run.status
    return {"run_id": run_id, "input": scenario.get("input", {}), "history": history, "state": state}


def _replay_fresh(path: Path, workflow: str | None, golden: dict[str, Any]) -> dict[str, Any]:
    res = compile_file(path, workflow)
    assert res.program is not None, res.diagnostics
    with tempfile.TemporaryDirectory() as tmp:
        build_project(res.program, path).write(Path(tmp) / "app")
        with DurableHost(Path(tmp) / "app") as host:
            name = res.program.workflows[res.program.entry].name
            return host.replay(name, golden["run_id"], golden["input"], golden["history"])


@pytest.mark.parametrize("case", CASES)
def test_recorded_history_replays_against_freshly_generated_code(
    case: str, request: pytest.FixtureRequest
) -> None:
    path, scenario = EXAMPLE_SCENARIOS[case]
    golden_file = HISTORIES / f"{case}.json"
    update = os.environ.get("PORTAFLOW_UPDATE_GOLDENS") == "1" or request.config.getoption("update_goldens")
    if update or not golden_file.exists():
        if not update:
            pytest.fail(f"{case}: no recorded history; record it with pytest --update-goldens")
        HISTORIES.mkdir(exist_ok=True)
        golden_file.write_text(json.dumps(_record(path, scenario), indent=1, sort_keys=True) + "\n")
        return
    golden = json.loads(golden_file.read_text())
    state = _replay_fresh(path, scenario.get("workflow"), golden)
    assert state.get("failure") is None and golden["state"].get("failure") is None, state.get("failure")
    assert state["actions"] == golden["state"]["actions"], f"{case}: the replay asks for other actions"
    assert (state["isDone"], state.get("output")) == (
        golden["state"]["isDone"],
        golden["state"].get("output"),
    )
    assert state["isDone"], f"{case}: the recorded run completed; the replay did not"
