"""Restart: `retry` resumes a failed (or cancelled) run from its failed step, the recorded steps replaying;
`--from-start` starts a new run with the same input. Anything else is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portaflow import Context, PortaflowError, RetryPolicy, StepFailed, step, workflow
from portaflow.local_engine import Engine

CALLS: list[str] = []
BROKEN: set[str] = set()  # the names whose steps fail (the "bug" a retry comes after fixing)


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()
    BROKEN.clear()


@step(retry=RetryPolicy(max_attempts=2, initial_interval="1s"))
def work(name: str) -> str:
    CALLS.append(name)
    if name in BROKEN:
        raise ConnectionError(f"{name} is down")
    return name.upper()


@workflow
def pipeline(ctx: Context, names: list[str]) -> list[str]:
    return [work(n) for n in names]


@workflow
def tolerant(ctx: Context) -> list[str]:
    try:
        first = work("optional")
    except StepFailed:
        first = "skipped"
    return [first, work("needed")]


@workflow
def fan_out(ctx: Context, names: list[str]) -> list[str]:
    return ctx.map(work, names)


@workflow
def child(ctx: Context, name: str) -> str:
    return work(f"child-{name}")


@workflow
def parent(ctx: Context) -> list[str]:
    left, right = ctx.parallel(lambda: work("left"), lambda: work("right"))
    return [left, right, child(ctx, "x")]


@workflow
def approval(ctx: Context) -> str:
    work("before")
    return str(ctx.wait_for_event("go"))


def _kinds(engine: Engine, run_id: str) -> list[str]:
    return [e.kind for e in engine.history(run_id)]


def test_a_resumed_run_replays_its_recorded_steps_and_attempts_the_failed_one_again(
    portaflow_engine: Engine,
) -> None:
    BROKEN.add("b")
    run = portaflow_engine.start(pipeline, {"names": ["a", "b", "c"]}, run_id="p1")
    assert run.status().status == "failed"
    assert CALLS == ["a", "b", "b"]
    BROKEN.clear()  # the outage is over
    CALLS.clear()
    handle = portaflow_engine.retry("p1")
    assert handle.run_id == "p1" and handle.result() == ["A", "B", "C"]
    assert CALLS == ["b", "c"]  # "a" replayed from the history, not called again
    kinds = _kinds(portaflow_engine, "p1")
    # nothing recorded is lost: the failure and its attempts stay, then the resume and what followed
    assert kinds[kinds.index("run_failed") :] == [
        "run_failed",
        "run_resumed",
        "step_completed",
        "step_completed",
        "run_completed",
    ]
    assert portaflow_engine.history("p1")[kinds.index("run_resumed")].data == {"reset": ["1"]}


def test_the_failed_step_gets_a_fresh_attempt_budget(portaflow_engine: Engine) -> None:
    BROKEN.add("b")
    portaflow_engine.start(pipeline, {"names": ["b"]}, run_id="p1")
    CALLS.clear()
    assert portaflow_engine.retry("p1").status().status == "failed"  # still broken: two more attempts
    assert CALLS == ["b", "b"]
    failed = [e for e in portaflow_engine.history("p1") if e.kind == "step_failed"]
    assert [e.data["attempt"] for e in failed] == [2, 2]


def test_a_failure_the_workflow_caught_is_not_attempted_again(portaflow_engine: Engine) -> None:
    BROKEN.update({"optional", "needed"})
    portaflow_engine.start(tolerant, run_id="t1")
    BROKEN.clear()
    CALLS.clear()
    assert portaflow_engine.retry("t1").result() == ["skipped", "NEEDED"]
    assert CALLS == ["needed"]


def test_only_the_failed_items_of_a_map_are_attempted_again(portaflow_engine: Engine) -> None:
    BROKEN.update({"b", "d"})
    portaflow_engine.start(fan_out, {"names": ["a", "b", "c", "d"]}, run_id="m1")
    BROKEN.clear()
    CALLS.clear()
    assert portaflow_engine.retry("m1").result() == ["A", "B", "C", "D"]
    assert sorted(CALLS) == ["b", "d"]


def test_failed_steps_in_parallel_branches_and_child_workflows_are_found(portaflow_engine: Engine) -> None:
    BROKEN.add("right")
    portaflow_engine.start(parent, run_id="x1")
    BROKEN.clear()
    CALLS.clear()
    BROKEN.add("child-x")
    portaflow_engine.retry("x1")
    assert CALLS == ["right", "child-x", "child-x"]
    BROKEN.clear()
    CALLS.clear()
    assert portaflow_engine.retry("x1").result() == ["LEFT", "RIGHT", "CHILD-X"]
    assert CALLS == ["child-x"]


def test_a_cancelled_run_resumes_where_it_stopped(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(approval, run_id="a1")
    assert run.cancel().status == "cancelled"
    assert portaflow_engine.retry("a1").status().waiting_for == "go"
    assert portaflow_engine.signal("a1", "go", "yes").status == "completed"
    assert CALLS == ["before"]


def test_from_start_is_a_new_run_with_the_same_input(portaflow_engine: Engine) -> None:
    BROKEN.add("b")
    portaflow_engine.start(pipeline, {"names": ["a", "b"]}, run_id="p1")
    BROKEN.clear()
    CALLS.clear()
    again = portaflow_engine.retry("p1", from_start=True, new_run_id="p2")
    assert (again.run_id, again.result()) == ("p2", ["A", "B"])
    assert CALLS == ["a", "b"]
    assert portaflow_engine.history("p2")[0].data == {"input": {"names": ["a", "b"]}, "retry_of": "p1"}
    assert portaflow_engine.status("p1").status == "failed"  # the old run is left as it was
    fresh = portaflow_engine.retry("p1", from_start=True)
    assert fresh.run_id.startswith("run-") and fresh.result() == ["A", "B"]


@pytest.mark.parametrize("from_start", [False, True])
def test_a_run_that_did_not_fail_is_refused(portaflow_engine: Engine, from_start: bool) -> None:
    portaflow_engine.start(pipeline, {"names": ["a"]}, run_id="ok")
    portaflow_engine.start(approval, run_id="waits")
    for run_id, status in (("ok", "completed"), ("waits", "waiting")):
        with pytest.raises(PortaflowError, match=f"run {run_id} is {status}: only a failed or cancelled"):
            portaflow_engine.retry(run_id, from_start=from_start)
    assert _kinds(portaflow_engine, "ok")[-1] == "run_completed"


FLOW = """
import os
from portaflow import Context, RetryPolicy, step, workflow

@step(retry=RetryPolicy(max_attempts=1))
def charge(amount: int) -> int:
    if os.path.exists(os.environ["BROKEN_FLAG"]):
        raise ConnectionError("the payment provider is down")
    return amount

@workflow
def pay(ctx: Context, amount: int) -> int:
    return charge(amount)
"""


def test_the_cli_resumes_starts_again_and_refuses(tmp_path: Path) -> None:
    flow, flag = tmp_path / "flow.py", tmp_path / "broken"
    flow.write_text(FLOW)
    flag.touch()
    env = {**os.environ, "PORTAFLOW_DB": str(tmp_path / "runs.db"), "BROKEN_FLAG": str(flag)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "portaflow", *args], capture_output=True, text=True, env=env
        )

    assert cli("run", str(flow), "--input", '{"amount": 5}', "--run-id", "r1").returncode == 1
    assert cli("retry", "r1").returncode == 1  # still down: failed again
    flag.unlink()
    proc = cli("retry", "r1")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1]) == {"run_id": "r1", "status": "completed", "output": 5}
    assert "failed step(s) attempted again: [0]" in proc.stderr
    refused = cli("retry", "r1")
    assert refused.returncode == 2
    assert refused.stderr == (
        "portaflow: error: run r1 is completed: only a failed or cancelled run can be retried\n"
    )
    flag.touch()
    cli("run", str(flow), "--input", '{"amount": 7}', "--run-id", "r2")
    flag.unlink()
    proc = cli("retry", "r2", "--from-start", "--run-id", "r3")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["run_id"] == "r3"
    assert "run r3 started with the input of run r2" in proc.stderr
    assert cli("retry", "r2", "--run-id", "r4").stderr.startswith("portaflow: error: --run-id names")
    assert cli("retry", "nope").returncode == 2
