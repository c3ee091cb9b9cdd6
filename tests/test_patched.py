"""`ctx.patched("change-id")`: runs that reach the call after a change take the new branch (a marker is
recorded); runs whose history went past that point before the change replay the old branch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from portaflow import Context, WorkflowError, step, workflow
from portaflow.dsl import Workflow
from portaflow.local_engine import Engine

SENT: list[str] = []


@pytest.fixture(autouse=True)
def _reset() -> None:
    SENT.clear()


@step
def send(what: str) -> str:
    SENT.append(what)
    return what


def version(n: int) -> Workflow[..., Any]:
    """The workflow `onboarding` as deployed at version ``n`` (the same function, changed)."""

    if n == 1:

        @workflow(name="onboarding")
        def onboarding(ctx: Context) -> list[str]:
            sent = [send("welcome")]
            ctx.wait_for_event("signed")
            return sent

    else:

        @workflow(name="onboarding")
        def onboarding(ctx: Context) -> list[str]:
            if ctx.patched("welcome-v2"):  # noqa: SIM108 (a step call per branch)
                sent = [send("welcome v2"), send("gift")]
            else:
                sent = [send("welcome")]
            ctx.wait_for_event("signed")
            if ctx.patched("welcome-v2"):  # the same change again: the same answer
                sent.append(send("thanks"))
            return sent

    return onboarding


def test_new_runs_take_the_new_branch_and_record_a_marker(tmp_path: Path) -> None:
    with Engine(tmp_path / "runs.db", workflows=[version(2)]) as engine:
        engine.start(version(2), run_id="new")
        assert engine.signal("new", "signed").status == "completed"
        assert engine.status("new").output == ["welcome v2", "gift", "thanks"]
        markers = [e for e in engine.history("new") if e.kind == "patch_recorded"]
        assert [(e.key, e.name) for e in markers] == [("patch:welcome-v2", "welcome-v2")]
        assert markers[0].data["site"].startswith(f"{__file__}:")


def test_a_run_recorded_past_the_change_before_it_replays_the_old_branch(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    with Engine(db, workflows=[version(1)]) as old:
        old.start(version(1), run_id="old")  # sent "welcome", waits for "signed"
    SENT.clear()
    with Engine(db, workflows=[version(2)]) as new:  # the new code is deployed
        assert new.signal("old", "signed").status == "completed"  # no NonDeterminismError
        assert new.status("old").output == ["welcome"]
        assert SENT == []  # "welcome" replayed from the history, nothing new sent
        assert "patch_recorded" not in [e.kind for e in new.history("old")]
        new.start(version(2), run_id="fresh")
        assert SENT == ["welcome v2", "gift"]


def test_a_run_that_had_not_reached_the_change_takes_the_new_branch(tmp_path: Path) -> None:
    @workflow(name="late")
    def before(ctx: Context) -> str:
        ctx.wait_for_event("go")
        return send("old")

    @workflow(name="late")
    def after(ctx: Context) -> str:
        ctx.wait_for_event("go")
        return send("new") if ctx.patched("late-change") else send("old")

    after.fn.__qualname__ = before.fn.__qualname__  # the same workflow, as a deploy changes it
    db = tmp_path / "runs.db"
    with Engine(db, workflows=[before]) as old:
        old.start(before, run_id="r")
    with Engine(db, workflows=[after]) as new:
        new.signal("r", "go")
        assert new.status("r").output == "new"


def test_patched_is_refused_in_a_parallel_branch_and_needs_an_id(portaflow_engine: Engine) -> None:
    @workflow
    def branches(ctx: Context) -> list[bool]:
        return ctx.parallel(lambda: ctx.patched("x"))

    @workflow
    def no_id(ctx: Context) -> bool:
        return ctx.patched("")

    for wf, message in ((branches, "cannot be used inside a ctx.parallel"), (no_id, "needs a change id")):
        error = portaflow_engine.start(wf).status().error
        assert error is not None and message in error["message"]
    with pytest.raises(WorkflowError, match="can only be called by the workflow run"):
        Context("r").patched("x")


V1 = """
from portaflow import Context, step, workflow

@step
def send(what: str) -> str:
    return what

@workflow
def onboarding(ctx: Context) -> list:
    sent = [send("welcome")]
    ctx.wait_for_event("signed")
    return sent
"""

V2 = V1.replace(
    '    sent = [send("welcome")]\n',
    '    if ctx.patched("welcome-v2"):\n        sent = [send("welcome v2")]\n'
    '    else:\n        sent = [send("welcome")]\n',
)


def test_deploying_the_change_under_the_cli(tmp_path: Path) -> None:
    flow = tmp_path / "flow.py"
    flow.write_text(V1)
    env = {**os.environ, "PORTAFLOW_DB": str(tmp_path / "runs.db")}

    def cli(*args: str) -> Any:
        proc = subprocess.run(
            [sys.executable, "-m", "portaflow", *args], capture_output=True, text=True, env=env, cwd=tmp_path
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        return json.loads(proc.stdout.splitlines()[-1])

    assert cli("run", "flow.py", "--run-id", "old")["waiting_for"] == "signed"
    flow.write_text(V2)
    assert cli("run", "flow.py", "--run-id", "new")["waiting_for"] == "signed"
    assert cli("signal", "old", "signed")["output"] == ["welcome"]
    assert cli("signal", "new", "signed")["output"] == ["welcome v2"]
    lint = subprocess.run(
        [sys.executable, "-m", "portaflow", "lint", str(flow)], capture_output=True, text=True, env=env
    )
    assert lint.returncode == 0 and "All checks passed" in lint.stdout  # deterministic: nothing to flag
