"""Retention: `prune --older-than` deletes finished runs and their history in bounded batches, never a run
that is running or waiting; `--dry-run` counts."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from portaflow import Context, RunNotFound, step, workflow
from portaflow.local_engine import Engine, retention
from portaflow.local_engine.store import Store


@step
def boom(fail: bool) -> int:
    if fail:
        raise ValueError("no")
    return 1


@workflow
def job(ctx: Context, fail: bool = False) -> int:
    return boom(fail)


@workflow
def waits(ctx: Context) -> object:
    return ctx.wait_for_event("go")


def _rows(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def aged(portaflow_engine: Engine) -> Engine:
    """Runs that ended 40 days ago (one of each kind, and one still waiting), then fresh ones."""
    e = portaflow_engine
    e.start(job, run_id="old-completed")
    e.start(job, {"fail": True}, run_id="old-failed")
    e.start(waits, run_id="old-cancelled").cancel()
    e.start(waits, run_id="old-waiting")
    e.signal("old-waiting", "not-this-one")  # a buffered event, kept with its run
    e.advance("40d")
    e.start(job, run_id="new-completed")
    e.start(job, {"fail": True}, run_id="new-failed")
    return e


def test_finished_runs_older_than_the_limit_are_deleted_with_their_history(aged: Engine) -> None:
    assert aged.prune("30d") == 3
    assert sorted(r.run_id for r in aged.list()) == ["new-completed", "new-failed", "old-waiting"]
    with pytest.raises(RunNotFound):
        aged.history("old-completed")
    db = Path(aged.store.path)
    assert _rows(db, "events") == sum(len(aged.history(r.run_id)) for r in aged.list())
    assert _rows(db, "signals") == 1  # the waiting run's buffered event


def test_a_running_or_waiting_run_is_never_deleted_however_old(aged: Engine) -> None:
    aged.advance("400d")
    aged.prune("0s")
    assert [r.run_id for r in aged.list()] == ["old-waiting"]
    assert aged.signal("old-waiting", "go", 1).status == "completed"


def test_status_chooses_which_finished_runs(aged: Engine) -> None:
    assert aged.prune("30d", statuses=["failed", "cancelled"]) == 2
    assert {r.run_id for r in aged.list()} == {"old-completed", "old-waiting", "new-completed", "new-failed"}
    with pytest.raises(Exception, match="finished runs only: --status is one of"):
        aged.prune("30d", statuses=["waiting"])


def test_dry_run_counts_and_deletes_nothing(aged: Engine) -> None:
    assert aged.prune("30d", dry_run=True) == 3
    assert aged.prune("30d", statuses=["completed"], dry_run=True) == 1
    assert len(aged.list()) == 6


def test_runs_are_deleted_one_bounded_transaction_per_batch(
    portaflow_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(7):
        portaflow_engine.start(job, run_id=f"r{i}")
    portaflow_engine.advance("31d")
    calls: list[tuple[int, int]] = []
    original = Store.delete_finished

    def spy(self: Store, statuses: list[str], before: float, limit: int) -> int:
        n = original(self, statuses, before, limit)
        calls.append((limit, n))
        return n

    monkeypatch.setattr(Store, "delete_finished", spy)
    monkeypatch.setattr(retention, "BATCH", 3)
    assert retention.prune(portaflow_engine.store, portaflow_engine.clock.now(), None, dry_run=False, batch=3)
    assert calls == [(3, 3), (3, 3), (3, 1)]
    assert portaflow_engine.list() == []


def test_the_cli_prints_how_many_it_deleted(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    with Engine(db) as engine:
        engine.start(job, run_id="a")
        engine.start(job, {"fail": True}, run_id="b")
    env = {**os.environ, "PORTAFLOW_DB": str(db)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "portaflow", "prune", *args], capture_output=True, text=True, env=env
        )

    assert cli("--older-than", "30d").stdout.startswith("deleted 0 completed/failed/cancelled run(s)")
    proc = cli("--older-than", "0s", "--status", "failed", "--dry-run")
    assert proc.returncode == 0 and proc.stdout.startswith("would delete 1 failed run(s) finished before")
    assert cli("--older-than", "0s", "--status", "completed").stdout.startswith("deleted 1 completed run(s)")
    with Engine(db) as engine:
        assert [r.run_id for r in engine.list()] == ["b"]
    bad = cli("--older-than", "a month")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "'a month' is not a duration" in bad.stderr
    assert cli("--older-than", "1d", "--status", "waiting").returncode == 2
    assert cli().returncode == 2  # --older-than is required
