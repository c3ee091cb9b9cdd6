"""Failures you can debug: a failed step attempt and a failed run record their traceback (the user's frames,
bounded) and the workflow line that called the step; `status` and `history` show them; runs recorded
before portaflow kept tracebacks still load."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from portaflow import Context, RetryPolicy, StepFailed, step, workflow
from portaflow.local_engine import Engine
from portaflow.local_engine.failures import MAX_FRAMES, MAX_TRACEBACK_CHARS

HERE = Path(__file__).resolve()


def _line_of(text: str) -> str:
    """file:line of the line of this file that contains ``text``."""
    for n, line in enumerate(HERE.read_text().splitlines(), 1):
        if text in line and "_line_of" not in line:
            return f"{HERE}:{n}"
    raise AssertionError(text)


def parse_amount(text: str) -> int:
    return int(text)  # the innermost frame of the step's traceback


@step(retry=RetryPolicy(max_attempts=2, initial_interval="1ms"))
def charge(amount: str) -> int:
    return parse_amount(amount)


@workflow
def pay(ctx: Context, amount: str) -> int:
    total = charge(amount)  # the call site
    return total


@workflow
def pay_all(ctx: Context, amounts: list[str]) -> list[int]:
    return ctx.map(charge, amounts)  # the map's call site


@workflow
def buggy(ctx: Context) -> int:
    charge("1")
    return {"a": 1}["missing"]  # a bug in the workflow itself


@step(retry=RetryPolicy(max_attempts=1))
def recurse(n: int) -> int:
    return recurse.fn(n + 1) if n < 500 else int("deep")


@workflow
def deep(ctx: Context) -> int:
    return recurse(0)


@workflow
def recovers(ctx: Context) -> str:
    try:
        charge("x")  # caught
    except StepFailed as exc:
        note = f"{exc.type} at {exc.site}"
    ctx.wait_for_event("go")
    return note


def _events(engine: Engine, run_id: str, kind: str) -> list[Any]:
    return [e for e in engine.history(run_id) if e.kind == kind]


def test_each_failed_attempt_records_the_steps_traceback_and_the_workflow_line_that_called_it(
    portaflow_engine: Engine,
) -> None:
    run = portaflow_engine.start(pay, {"amount": "x"}, run_id="p1")
    assert run.status().status == "failed"
    attempts = _events(portaflow_engine, "p1", "step_attempt_failed") + _events(
        portaflow_engine, "p1", "step_failed"
    )
    assert len(attempts) == 2
    for ev in attempts:
        error = ev.data["error"]
        assert error["site"] == _line_of("total = charge(amount)  # the call site")
        tb = error["traceback"]
        assert tb.startswith("Traceback (most recent call last):")
        assert "in charge\n" in tb and "in parse_amount\n" in tb
        assert tb.endswith("ValueError: invalid literal for int() with base 10: 'x'")
        assert "portaflow/local_engine" not in tb  # portaflow's own frames say nothing about the bug


def test_a_failed_run_records_the_workflow_traceback_and_the_step_that_failed(
    portaflow_engine: Engine,
) -> None:
    error = portaflow_engine.start(pay, {"amount": "x"}, run_id="p1").status().error
    assert error is not None
    assert (error["type"], error["site"]) == ("ValueError", _line_of("total = charge(amount)  # the"))
    assert "in pay\n" in error["traceback"] and "total = charge(amount)" in error["traceback"]
    assert error["step"]["name"] == "charge" and error["step"]["attempts"] == 2
    assert error["step"]["site"] == error["site"]
    assert "in parse_amount" in error["step"]["traceback"]
    assert _events(portaflow_engine, "p1", "run_failed")[0].data["error"] == error


def test_a_bug_in_the_workflow_code_is_located_by_its_own_traceback(portaflow_engine: Engine) -> None:
    error = portaflow_engine.start(buggy, run_id="b1").status().error
    assert error is not None
    assert error["type"] == "KeyError" and "step" not in error
    assert error["site"] == _line_of('return {"a": 1}["missing"]')


def test_a_map_items_failure_is_located_at_the_ctx_map_line(portaflow_engine: Engine) -> None:
    error = portaflow_engine.start(pay_all, {"amounts": ["1", "x"]}, run_id="m1").status().error
    assert error is not None
    assert error["step"]["site"] == _line_of("return ctx.map(charge, amounts)  # the map")
    failed = _events(portaflow_engine, "m1", "step_failed")
    assert [e.key for e in failed] == ["0.1"]


def test_tracebacks_are_bounded_in_frames_and_size(portaflow_engine: Engine) -> None:
    tb = _events(portaflow_engine.start(deep, run_id="d1").engine, "d1", "step_failed")[0].data["error"][
        "traceback"
    ]
    assert len(tb) <= MAX_TRACEBACK_CHARS
    assert tb.count('File "') <= MAX_FRAMES
    assert tb.endswith("ValueError: invalid literal for int() with base 10: 'deep'")


def test_a_caught_step_failure_carries_its_call_site_into_the_workflow(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(recovers, run_id="c1")
    run.signal("go")
    assert run.result() == f"ValueError at {_line_of(')  # caught')}"


def _strip_tracebacks(db: Path) -> None:
    """Make the database look like one written before tracebacks were recorded."""
    conn = sqlite3.connect(db)
    for seq, run_id, data in conn.execute("SELECT seq, run_id, data FROM events").fetchall():
        d = json.loads(data)
        if isinstance(d.get("error"), dict):
            d["error"] = {k: v for k, v in d["error"].items() if k not in ("traceback", "site", "step")}
            conn.execute(
                "UPDATE events SET data = ? WHERE run_id = ? AND seq = ?", (json.dumps(d), run_id, seq)
            )
    for run_id, error in conn.execute("SELECT run_id, error FROM runs WHERE error IS NOT NULL").fetchall():
        e = json.loads(error)
        conn.execute(
            "UPDATE runs SET error = ? WHERE run_id = ?",
            (json.dumps({"type": e["type"], "message": e["message"]}), run_id),
        )
    conn.commit()
    conn.close()


def test_runs_recorded_before_tracebacks_were_kept_still_load_replay_and_show(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with Engine(db) as engine:
        engine.start(pay, {"amount": "x"}, run_id="old-failed")
        engine.start(recovers, run_id="old-waiting")
    _strip_tracebacks(db)
    with Engine(db) as engine:
        assert engine.status("old-failed").error == {
            "type": "ValueError",
            "message": "invalid literal for int() with base 10: 'x'",
        }
        # the waiting run replays its old step_failed record (no traceback, no site) and completes
        assert engine.signal("old-waiting", "go").status == "completed"
        assert engine.status("old-waiting").output == "ValueError at None"
    env = {**os.environ, "PORTAFLOW_DB": str(db)}
    for command in (["status", "old-failed"], ["history", "old-failed"], ["status", "old-failed", "--json"]):
        proc = subprocess.run(
            [sys.executable, "-m", "portaflow", *command], capture_output=True, text=True, env=env
        )
        assert proc.returncode == 0 and "Traceback" not in proc.stdout + proc.stderr, proc.stderr


@pytest.fixture
def failed_db(tmp_path: Path) -> dict[str, str]:
    db = tmp_path / "runs.db"
    with Engine(db) as engine:
        engine.start(pay, {"amount": "x"}, run_id="p1")
    return {**os.environ, "PORTAFLOW_DB": str(db)}


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "portaflow", *args], capture_output=True, text=True, env=env)


def test_status_shows_the_failed_step_its_call_site_and_both_tracebacks(failed_db: dict[str, str]) -> None:
    out = _cli(failed_db, "status", "p1").stdout
    site = _line_of("total = charge(amount)  # the call site")
    assert f"step 'charge' failed after 2 attempt(s), called at {site}" in out
    assert "the step's last attempt:\n  Traceback (most recent call last):" in out
    assert "in parse_amount" in out
    assert "the workflow:\n  Traceback (most recent call last):" in out
    error = json.loads(_cli(failed_db, "status", "p1", "--json").stdout)["error"]
    assert error["site"] == site and "in parse_amount" in error["step"]["traceback"]


def test_history_shows_each_failed_attempts_call_site_and_traceback(failed_db: dict[str, str]) -> None:
    out = _cli(failed_db, "history", "p1").stdout
    site = _line_of("total = charge(amount)  # the call site")
    assert out.count(f"       called at {site}") == 2  # the failed attempt and the final failure
    assert out.count("       Traceback (most recent call last):") == 3  # ...and the run's
    events = json.loads(_cli(failed_db, "history", "p1", "--json").stdout)
    assert [e["data"]["error"]["site"] for e in events if e["kind"].startswith("step_")] == [site, site]


def test_runs_last_line_keeps_the_one_line_error_and_points_to_status(
    tmp_path: Path, failed_db: dict[str, str]
) -> None:
    flow = tmp_path / "flow.py"
    flow.write_text(
        "from portaflow import Context, step, workflow\n\n@step\ndef boom() -> int:\n"
        "    raise ValueError('no')\n\n@workflow\ndef w(ctx: Context) -> int:\n    return boom()\n"
    )
    proc = _cli(failed_db, "run", f"{flow}:w", "--run-id", "r9")
    assert proc.returncode == 1
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    assert last["error"] == {"type": "ValueError", "message": "no"}
    assert f"(called at {flow}:9)" in proc.stderr
    assert "`portaflow status r9` shows where it failed" in proc.stderr


@step(retry=RetryPolicy(max_attempts=3, initial_interval="1h"))
def flaky_lookup(order: str) -> str:
    raise ConnectionError(f"lookup of {order} timed out")


@workflow
def look_up(ctx: Context, order: str) -> str:
    return flaky_lookup(order)


def test_status_of_a_run_in_backoff_names_the_failing_step_its_error_and_next_attempt(tmp_path: Path) -> None:
    """A run waiting out a retry delay is `waiting` like a sleeping one; status says why (Temporal shows a
    pending activity's last failure)."""
    db = tmp_path / "runs.db"
    with Engine(db) as engine:
        engine.submit(look_up, {"order": "o-7"}, run_id="b1")
        st = engine.execute("b1", max_wait="1s")  # the next attempt is an hour away: left to a worker
        assert st.status == "waiting" and st.wake_at is not None
        (pending,) = st.retrying
        assert (pending.step, pending.key, pending.attempt) == ("flaky_lookup", "0", 1)
        assert pending.error == {"type": "ConnectionError", "message": "lookup of o-7 timed out"}
        assert pending.retry_at == st.wake_at
    env = {**os.environ, "PORTAFLOW_DB": str(db)}
    out = _cli(env, "status", "b1").stdout
    assert "retrying step 'flaky_lookup' [0] at " in out
    assert "attempt 1 failed: ConnectionError: lookup of o-7 timed out" in out
    (shown,) = json.loads(_cli(env, "status", "b1", "--json").stdout)["retrying"]
    assert shown["step"] == "flaky_lookup" and shown["failed_attempt"] == 1
    assert shown["error"] == {"type": "ConnectionError", "message": "lookup of o-7 timed out"}


def test_a_sleeping_run_has_no_pending_retry(portaflow_engine: Engine) -> None:
    @workflow
    def naps(ctx: Context) -> str:
        ctx.sleep("1h")
        return "up"

    portaflow_engine.register(naps)
    run = portaflow_engine.submit(naps, {}, run_id="s1")
    assert run.status().retrying == ()
