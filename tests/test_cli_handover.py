"""What `run`, `signal` and `worker` hand over to each other, as real processes: a long sleep is left to the
worker, a stopping worker starts no new step and releases its runs, a fixed workflow is retried at once."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from test_cli import CLI

from portaflow.local_engine import Engine, load_target

WAITS = Path(__file__).parent / "cli_workflows" / "waits.py"


@pytest.fixture
def cli(tmp_path: Path) -> CLI:
    return CLI(tmp_path)


def _iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# ----- run and signal return when the run sleeps beyond --max-wait (default 10 s) ---------------------


def test_run_returns_when_the_run_sleeps_a_day_with_exit_4_and_wake_at(cli: CLI) -> None:
    started = time.time()
    proc = cli("run", f"{WAITS}:sleeper", "--run-id", "s1")
    assert proc.returncode == 4, proc.stderr
    out = cli.last_json(proc)
    assert out["status"] == "waiting" and "waiting_for" not in out
    assert _iso(out["wake_at"]) == pytest.approx(started + 86400, abs=60)
    assert time.time() - started < 30  # not a day in the foreground
    assert "`portaflow worker` continues it then" in proc.stderr.splitlines()[-1]
    assert cli.effects_log() == ["before"]
    assert cli.last_json(cli("status", "s1", "--json"))["status"] == "waiting"


def test_signal_returns_when_the_run_goes_to_sleep_after_the_event(cli: CLI) -> None:
    proc = cli("run", f"{WAITS}:approve_then_follow_up", "--run-id", "a1")
    assert proc.returncode == 3, proc.stderr  # waiting for an event: a person must act
    assert "`portaflow signal a1 approval --data JSON`" in proc.stderr
    proc = cli("signal", "a1", "approval", "--data", '"yes"')
    assert proc.returncode == 4, proc.stderr
    assert set(cli.last_json(proc)) == {"run_id", "status", "wake_at"}
    assert cli.effects_log() == ["approved"]


def test_a_timer_within_max_wait_is_waited_out_in_place(cli: CLI) -> None:
    proc = cli("run", f"{WAITS}:short_nap")
    assert proc.returncode == 0, proc.stderr
    assert cli.last_json(proc)["output"] == "rested"


def test_max_wait_all_waits_out_every_timer(cli: CLI) -> None:
    proc = cli("run", f"{WAITS}:short_nap", "--max-wait", "0s")
    assert proc.returncode == 4
    proc = cli("run", f"{WAITS}:short_nap", "--max-wait", "all", "--run-id", "all")
    assert proc.returncode == 0 and cli.last_json(proc)["output"] == "rested"


# ----- SIGTERM and Ctrl-C stop a worker after the step under way --------------------------------------


def _submit(cli: CLI, workflow: str, data: dict[str, Any], run_id: str) -> None:
    with Engine(cli.db) as engine:
        engine.submit(load_target(f"{WAITS}:{workflow}"), data, run_id=run_id)


def _worker(cli: CLI, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "portaflow", "worker", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env,
    )


def _wait_for_effect(cli: CLI, line: str, proc: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + 60
    while line not in cli.effects_log():
        assert time.monotonic() < deadline, f"no {line!r} in {cli.effects_log()}"
        assert proc is None or proc.poll() is None, proc.communicate()
        time.sleep(0.05)


def _owner(cli: CLI, run_id: str) -> str | None:
    conn = sqlite3.connect(cli.db)
    try:
        owner: str | None = conn.execute("SELECT owner FROM runs WHERE run_id = ?", (run_id,)).fetchone()[0]
        return owner
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"]
)
def test_a_signal_stops_the_worker_after_the_step_under_way(cli: CLI, sig: int, code: int) -> None:
    _submit(cli, "slow_steps", {"seconds": 2}, "w1")
    worker = _worker(cli)
    _wait_for_effect(cli, "start one", worker)
    worker.send_signal(sig)
    _, err = worker.communicate(timeout=60)
    assert worker.returncode == code, err
    # the step under way finished and was recorded; none was started after the signal
    assert cli.effects_log() == ["start one", "end one"]
    kinds = [e["kind"] for e in json.loads(cli("history", "w1", "--json").stdout)]
    assert kinds == ["run_started", "step_completed"]
    assert _owner(cli, "w1") is None  # the lease is released: the next worker takes the run at once
    after = err.split("step slow ok in", 1)[1].splitlines()[1:]
    assert "Traceback" not in err and len(after) <= 2  # the notice, and the closing line
    assert after[-1].startswith(f"worker stopped by {signal.Signals(sig).name} after 1 activation(s)")
    assert "1 run(s) released before their next step" in after[-1] and after[-1].endswith("1 running")
    drain = cli("worker", "--drain")
    assert drain.returncode == 0, drain.stderr
    assert cli.last_json(cli("status", "w1", "--json"))["output"] == ["one", "two", "three"]
    assert cli.effects_log() == ["start one", "end one", "two", "three"]  # the slow step did not run again


def test_a_step_that_outlives_the_grace_period_is_left_to_recovery(cli: CLI) -> None:
    _submit(cli, "slow_steps", {"seconds": 120}, "w2")
    worker = _worker(cli, "--grace", "500ms")
    _wait_for_effect(cli, "start one", worker)
    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    _, err = worker.communicate(timeout=60)
    assert time.monotonic() - started < 20  # not the step's 120 s
    assert worker.returncode == 0, err
    last = err.strip().splitlines()[-1]
    assert (
        "1 run(s) left to recovery with a step under way (w2; the next worker runs that step again)" in last
    )
    drain = cli("worker", "--drain")  # the owner process is gone: recovered at once
    assert drain.returncode == 0, drain.stderr
    assert "recovering run w2" in drain.stderr
    assert cli.last_json(cli("status", "w2", "--json"))["output"] == ["one", "two", "three"]
    assert cli.effects_log() == ["start one", "start one", "end one", "two", "three"]


def test_a_second_signal_abandons_the_step_at_once(cli: CLI) -> None:
    _submit(cli, "slow_steps", {"seconds": 120}, "w3")
    worker = _worker(cli, "--grace", "10m")
    _wait_for_effect(cli, "start one", worker)
    worker.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 30
    assert worker.stderr is not None
    while "starting no new steps" not in worker.stderr.readline():
        assert time.monotonic() < deadline
    worker.send_signal(signal.SIGINT)
    _, err = worker.communicate(timeout=30)
    assert worker.returncode == 130
    assert "left to recovery" in err.strip().splitlines()[-1]


def test_cancel_of_a_run_executing_in_a_worker_says_it_stops_at_the_next_step(cli: CLI) -> None:
    _submit(cli, "slow_steps", {"seconds": 2}, "c1")
    worker = _worker(cli, "--drain")
    _wait_for_effect(cli, "start one", worker)
    proc = cli("cancel", "c1")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["status"] == "running"
    assert "cancellation requested; it stops at its next step" in proc.stderr
    worker.communicate(timeout=60)
    assert cli.last_json(cli("status", "c1", "--json"))["status"] == "cancelled"
    assert cli.effects_log() == ["start one", "end one"]


# ----- a run stalled by a NonDeterminismError is retried at once once its code is fixed ---------------

GOOD = """\
from portaflow import step, workflow

@step
def a() -> str:
    return "a"

@step
def b() -> str:
    return "b"

@workflow
def wf(ctx) -> list:
    first = a()
    ctx.wait_for_event("go")
    return [first, b()]
"""
# the code changed under the waiting run: its first step is now another one (and the file another size)
BAD = GOOD.replace("    first = a()", "    first = b()  # changed while a run was waiting")


def test_worker_drain_retries_a_stalled_run_at_once_after_the_fix(cli: CLI, tmp_path: Path) -> None:
    flow = tmp_path / "flow.py"
    flow.write_text(GOOD)
    assert cli("run", str(flow), "--run-id", "nd").returncode == 3
    flow.write_text(BAD)
    proc = cli("signal", "nd", "go")
    assert proc.returncode == 1 and "NonDeterminismError" in proc.stdout
    flow.write_text(GOOD)  # fixed
    started = time.monotonic()
    drain = cli("worker", "--drain")
    assert drain.returncode == 0, drain.stderr
    assert time.monotonic() - started < 8  # not after the 10 s stall retry
    assert cli.last_json(cli("status", "nd", "--json"))["output"] == ["a", "b"]


def test_a_running_worker_retries_a_stalled_run_when_its_source_changes(cli: CLI, tmp_path: Path) -> None:
    flow = tmp_path / "flow.py"
    flow.write_text(GOOD)
    assert cli("run", str(flow), "--run-id", "nd2").returncode == 3
    flow.write_text(BAD)
    with Engine(cli.db) as engine:  # the event, recorded for the worker to deliver
        engine.store.add_signal("nd2", "go", "null", time.time())
    worker = _worker(cli)
    try:
        deadline = time.monotonic() + 30
        while (cli.last_json(cli("status", "nd2", "--json")).get("error") or {}).get(
            "type"
        ) != "NonDeterminismError":
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.1)
        flow.write_text(GOOD)  # fixed while the worker runs, which imported the bad code
        fixed = time.monotonic()
        while cli.last_json(cli("status", "nd2", "--json"))["status"] != "completed":
            assert time.monotonic() - fixed < 6, "the worker did not retry the fixed run at once"
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert cli.last_json(cli("status", "nd2", "--json"))["output"] == ["a", "b"]
